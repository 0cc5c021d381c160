"""ActBlue contribution CSV exports (comma, header with repeated `Reserved` columns).

Two files: the current export covering the last two years, and a smaller, older export in
the earlier header variant (four `Reserved` after `Card Type`, ending at `Smart Boost Shown`).
Most donors are voters (name, address, ZIP and usually their voter-file phone, spelled as
the donor typed it); recurring donors give monthly; a few contributions are refunded.
"""

from __future__ import annotations

import datetime as dt
import pathlib
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import names, phones
from .places import ALL_COUNTIES, HOME_AREA_CODES, OUT_OF_STATE_AREA_CODES
from .population import PLACES, Population
from .randomness import id_space, rng_for, scrambled_ids, weighted_choice
from .textio import join_fields, numbers, pick, write_csv
from .timefmt import DAY, EASTERN, local_plain

ACTBLUE_COLUMNS = [
    "Receipt ID", "Date", "Amount", "Recurring Total Months", "Recurrence Number", "Recipient",
    "Fundraising Page", "Fundraising Partner", "Reference Code 2", "Reference Code",
    "Donor First Name", "Donor Last Name", "Donor Addr1", "Donor Addr2", "Donor City", "Donor State",
    "Donor ZIP", "Donor Country", "Donor Occupation", "Donor Employer", "Donor Email", "Donor Phone",
    "New Express Signup", "Comments", "Check Number", "Check Date", "Employer Addr1", "Employer Addr2",
    "Employer City", "Employer State", "Employer ZIP", "Employer Country", "Donor ID", "Fundraiser ID",
    "Fundraiser Recipient ID", "Fundraiser Contact Email", "Fundraiser Contact First Name",
    "Fundraiser Contact Last Name", "Partner ID", "Partner Contact Email", "Partner Contact First Name",
    "Partner Contact Last Name", "Reserved", "Lineitem ID", "AB Test Name", "AB Variation",
    "Recipient Committee", "Recipient ID", "Recipient Gov ID", "Recipient Election", "Reserved",
    "Payment ID", "Payment Date", "Disbursement ID", "Disbursement Date", "Recovery ID", "Recovery Date",
    "Refund ID", "Refund Date", "Fee", "Recur Weekly", "ActBlue Express Lane", "Reserved", "Card Type",
    "Reserved", "Mobile", "Recurring Upsell Shown", "Recurring Upsell Succeeded", "Double Down",
    "Smart Recurring", "Monthly Recurring Amount", "Apple Pay", "Card Replaced by Account Updater",
    "ActBlue Express Donor", "Custom Field 1 Label", "Custom Field 1 Value", "Donor US Passport Number",
    "Text Message Opt In", "Gift Identifier", "Gift Declined", "Shipping Addr1", "Shipping City",
    "Shipping State", "Shipping Zip", "Shipping Country", "Weekly Recurring Amount", "Smart Boost Amount",
    "Smart Boost Shown", "Bump Recurring Seen", "Bump Recurring Succeeded",
    "Weekly to Monthly Rollover Date", "Weekly Recurring Sunset", "Recurring Type", "Recurring Pledged",
    "Paypal", "Kind", "Managed Entity Name", "Managed Entity Committee Name",
]
ACTBLUE_OLD_COLUMNS = (
    ACTBLUE_COLUMNS[: ACTBLUE_COLUMNS.index("Card Type") + 1]
    + ["Reserved"] * 4
    + ACTBLUE_COLUMNS[ACTBLUE_COLUMNS.index("Mobile") : ACTBLUE_COLUMNS.index("Smart Boost Shown") + 1]
)

RECIPIENT = "Friends of Jane Doe"
DONOR_SHARE = 0.04
MIN_DONORS = 60
VOTER_DONORS = 0.85
VOTER_PHONE_GIVEN = 0.7  # donors who type the number the voter file has
NO_PHONE = 0.1
RECURRING = 0.2
REFUNDED = 0.01
TEXT_OPT_IN = 0.35
ACCENTS_DROPPED = 0.3
ONE_TIME_AMOUNTS = (5, 10, 15, 25, 27, 50, 100, 250, 500, 1000, 2900, 3500)
ONE_TIME_WEIGHTS = (8, 14, 6, 22, 8, 16, 12, 6, 4, 2, 0.5, 0.5)
MONTHLY_AMOUNTS = (5, 10, 15, 20, 25, 50, 100)
MONTHLY_WEIGHTS = (20, 25, 10, 10, 20, 10, 5)
FEE_RATE = 0.0395
CARD_TYPES = ("visa", "mastercard", "amex", "discover")
PAGES = ("janedoe-website", "janedoe-sms", "janedoe-email-nov", "janedoe-events")
MONTHLY_PAGE = "janedoe-monthly"
REFERENCE_CODES = ("", "", "email_0412", "sms_gotv", "fb_ad_17", "website_footer")
# Where donors who are not in the voter file live: (city, state, ZIP).
OUT_OF_STATE_PLACES = (
    ("New York", "NY", "10025"), ("San Francisco", "CA", "94110"), ("Chicago", "IL", "60614"),
    ("Cambridge", "MA", "02139"), ("Washington", "DC", "20009"), ("Atlanta", "GA", "30307"),
)


@dataclass
class Donors:
    first: pa.Array
    last: pa.Array
    street: pa.Array
    city: pa.Array
    state: pa.Array
    zip_code: pa.Array
    email: pa.Array
    phone: pa.Array
    occupation: pa.Array
    employer: pa.Array
    donor_id: np.ndarray


def _donors(pop: Population, count: int, rng: np.random.Generator) -> Donors:
    """Donors drawn mostly from voters; the rest are out-of-state people nobody else knows."""
    voter = rng.random(count) < VOTER_DONORS
    who = rng.integers(0, pop.size, count)
    first = np.where(voter, pop.first_name[who], names.any_first_names(rng, count))
    last = np.where(voter, pop.last_name[who], names.SURNAMES.draw(rng, count))
    house = np.where(voter, pop.house_number[who], rng.integers(100, 9999, count))
    street = np.where(voter, pop.street[who], rng.integers(0, len(names.STREET_NAMES), count))
    street_type = np.where(voter, pop.street_type[who], 0)
    street_text = join_fields([
        numbers(house),
        pc.utf8_title(pick(names.STREET_NAMES, street)),
        pc.utf8_title(pick(names.STREET_TYPES, street_type)),
    ], " ")
    place = pop.place[who]
    county_state = pick([c.state for c in ALL_COUNTIES], pop.county[who])
    elsewhere = rng.integers(0, len(OUT_OF_STATE_PLACES), count)
    is_voter = pa.array(voter)

    usable = voter & pop.phone.valid[who] & (rng.random(count) < VOTER_PHONE_GIVEN)
    other = phones.random_numbers(rng, count, HOME_AREA_CODES + OUT_OF_STATE_AREA_CODES)
    number = np.where(usable, pop.phone.number[who], other)
    phone = phones.spell_mixed(number, rng, phones.TYPED)
    phone = pc.if_else(pa.array(rng.random(count) < NO_PHONE), "", phone)

    # Some donors type their name without its accents.
    folded = pa.array(rng.random(count) < ACCENTS_DROPPED)
    zip5 = pick([p[0] for p in PLACES], place)
    zip9 = join_fields([zip5, numbers(rng.integers(0, 10_000, count), 4)], "-")
    return Donors(
        first=pc.if_else(folded, pick(map(names.ascii_fold, names.FIRST_NAMES.words), first),
                         pick(names.FIRST_NAMES.words, first)),
        last=pc.if_else(folded, pick(map(names.ascii_fold, names.LAST_NAMES.words), last),
                        pick(names.LAST_NAMES.words, last)),
        street=street_text,
        city=pc.if_else(is_voter, pick([p[1].title() for p in PLACES], place),
                        pick([p[0] for p in OUT_OF_STATE_PLACES], elsewhere)),
        state=pc.if_else(is_voter, county_state, pick([p[1] for p in OUT_OF_STATE_PLACES], elsewhere)),
        zip_code=pc.if_else(is_voter, pc.if_else(pa.array(rng.random(count) < 0.2), zip9, zip5),
                            pick([p[2] for p in OUT_OF_STATE_PLACES], elsewhere)),
        email=names.email_addresses(first, last, rng),
        phone=phone,
        occupation=pick(names.OCCUPATIONS, rng.integers(0, len(names.OCCUPATIONS), count)),
        employer=pick(names.EMPLOYERS, rng.integers(0, len(names.EMPLOYERS), count)),
        donor_id=1_000_000 + scrambled_ids(count, id_space(count, 10**7), rng),
    )


def _contributions(donors: Donors, start: int, end: int, rng: np.random.Generator) -> dict[str, pa.Array]:
    """Contribution rows (by date) for the donors, between epoch seconds start and end."""
    count = len(donors.donor_id)
    recurring = rng.random(count) < RECURRING
    first_gift = rng.integers(start, end, count)
    months_left = (end - first_gift) // (30 * DAY) + 1
    gifts = np.where(recurring, np.minimum(months_left, rng.integers(2, 25, count)), 1 + rng.poisson(0.6, count))
    donor = np.repeat(np.arange(count), gifts)
    rank = np.arange(len(donor)) - np.repeat(np.cumsum(gifts) - gifts, gifts)
    is_recurring = recurring[donor]
    when = np.where(
        is_recurring,
        first_gift[donor] + rank * 30 * DAY,
        rng.integers(start, end, len(donor)),
    )
    when = np.minimum(when, end - 1)
    order = np.argsort(when, kind="stable")
    donor, rank, is_recurring, when = donor[order], rank[order], is_recurring[order], when[order]
    rows = len(donor)

    monthly = np.array(MONTHLY_AMOUNTS)[weighted_choice(rng, MONTHLY_WEIGHTS, count)][donor]
    one_time = np.array(ONE_TIME_AMOUNTS)[weighted_choice(rng, ONE_TIME_WEIGHTS, rows)]
    cents = np.where(is_recurring, monthly, one_time) * 100
    fee = np.round(cents * FEE_RATE).astype(np.int64)
    refunded = rng.random(rows) < REFUNDED
    refund_at = np.minimum(when + rng.integers(DAY, 30 * DAY, rows), end - 1)
    take_donor = pa.array(donor)
    recur = pa.array(is_recurring)

    def money(amount_cents: np.ndarray) -> pa.Array:
        return join_fields([numbers(amount_cents // 100), numbers(amount_cents % 100, 2)], ".")

    def flag(share: float, per_donor: bool = False) -> pa.Array:
        draws = rng.random(count)[donor] if per_donor else rng.random(rows)
        return pc.if_else(pa.array(draws < share), "true", "false")

    return {
        "Receipt ID": join_fields(["AB", numbers(100_000_000 + scrambled_ids(rows, id_space(rows, 10**8), rng))], ""),
        "Date": local_plain(when),
        "Amount": money(cents),
        "Recurring Total Months": pc.if_else(recur, pick(("", "12", "24"), rng.integers(0, 3, count)[donor]), ""),
        "Recurrence Number": pc.if_else(recur, numbers(rank + 1), ""),
        "Recipient": pa.repeat(RECIPIENT, rows),
        "Fundraising Page": pc.if_else(recur, MONTHLY_PAGE, pick(PAGES, rng.integers(0, len(PAGES), rows))),
        "Reference Code": pick(REFERENCE_CODES, rng.integers(0, len(REFERENCE_CODES), rows)),
        "Donor First Name": donors.first.take(take_donor),
        "Donor Last Name": donors.last.take(take_donor),
        "Donor Addr1": donors.street.take(take_donor),
        "Donor City": donors.city.take(take_donor),
        "Donor State": donors.state.take(take_donor),
        "Donor ZIP": donors.zip_code.take(take_donor),
        "Donor Country": pa.repeat("United States", rows),
        "Donor Occupation": donors.occupation.take(take_donor),
        "Donor Employer": donors.employer.take(take_donor),
        "Donor Email": donors.email.take(take_donor),
        "Donor Phone": donors.phone.take(take_donor),
        "New Express Signup": flag(0.1),
        "Donor ID": numbers(donors.donor_id[donor]),
        "Lineitem ID": numbers(10_000_000 + scrambled_ids(rows, id_space(rows, 10**7), rng)),
        "Recipient Committee": pa.repeat(RECIPIENT, rows),
        "Recipient ID": pa.repeat("204517", rows),
        "Recipient Gov ID": pa.repeat("C00765432", rows),
        "Recipient Election": pa.repeat("2026 general", rows),
        "Refund ID": pc.if_else(pa.array(refunded), numbers(5_000_000 + scrambled_ids(rows, id_space(rows, 10**6), rng)), ""),
        "Refund Date": pc.if_else(pa.array(refunded), local_plain(refund_at), ""),
        "Fee": money(fee),
        "Recur Weekly": pa.repeat("false", rows),
        "ActBlue Express Lane": flag(0.45),
        "Card Type": pick(CARD_TYPES, weighted_choice(rng, (50, 30, 12, 8), count)[donor]),
        "Mobile": flag(0.55),
        "Recurring Upsell Shown": flag(0.3),
        "Recurring Upsell Succeeded": pa.repeat("false", rows),
        "Smart Recurring": pa.repeat("false", rows),
        "Monthly Recurring Amount": pc.if_else(recur, money(cents), ""),
        "Apple Pay": flag(0.08),
        "ActBlue Express Donor": flag(0.5, per_donor=True),
        "Text Message Opt In": flag(TEXT_OPT_IN, per_donor=True),
        "Recurring Type": pc.if_else(recur, "monthly", ""),
        "Paypal": pa.repeat("false", rows),
        "Kind": pa.repeat("contribution", rows),
    }


def write_donations(folder: pathlib.Path, pop: Population, as_of_seconds: int, seed: int) -> int:
    rng = rng_for(seed, "donations")
    donor_count = max(MIN_DONORS, round(pop.size * DONOR_SHARE))
    donors = _donors(pop, donor_count, rng)
    year = 365 * DAY
    current = _contributions(donors, as_of_seconds - 2 * year, as_of_seconds - 3600, rng)
    older_donors = _donors(pop, max(MIN_DONORS // 3, donor_count // 10), rng)
    older = _contributions(older_donors, as_of_seconds - 4 * year, as_of_seconds - 2 * year, rng)

    rows = 0
    for start, end, header, columns in (
        (as_of_seconds - 2 * year, as_of_seconds, ACTBLUE_COLUMNS, current),
        (as_of_seconds - 4 * year, as_of_seconds - 2 * year, ACTBLUE_OLD_COLUMNS, older),
    ):
        size = len(columns["Date"])
        rows += write_csv(folder / f"actblue_paid_contributions_{_day(start)}_{_day(end)}.csv", header,
                          [columns.get(name, pa.nulls(size, pa.string())) for name in header])
    return rows


def _day(seconds: int) -> str:
    return dt.datetime.fromtimestamp(seconds, ZoneInfo(EASTERN)).strftime("%Y%m%d")
