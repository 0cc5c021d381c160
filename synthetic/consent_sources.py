"""Consent evidence and number facts: `consents/`, `rnd/` and `line_types/` CSV files."""

from __future__ import annotations

import datetime as dt
import pathlib
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import phones
from .places import TOLL_FREE_AREA_CODES
from .population import Population, sample_voter_numbers
from .randomness import rng_for, weighted_choice
from .textio import pick, write_csv
from .timefmt import DAY, YEAR_DAYS, day_number, iso_mixed, local_dates

CALLER_ENTITY = "Friends of Jane Doe"
OTHER_ENTITIES = ("Carolina Forward PAC", "Doe Victory Fund")
CALLER_ENTITY_SHARE = 0.85  # the rest name another entity, so they do not count for our lists
CONSENT_SHARE = 0.03
MIN_CONSENTS = 60
UNKNOWN_NUMBERS = 0.05
SAME_NUMBER_AGAIN = 0.15  # a second consent (another scope or entity) for a number
SCOPES = ("prerecorded_voice", "autodialed_voice", "sms", "all")
SCOPE_WEIGHTS = (20, 20, 35, 25)
METHODS = ("web_form", "paper_form", "text_keyword", "verbal_recorded", "actblue_checkbox")
METHOD_SOURCES = ("website", "event_signup", "sms_keyword", "phonebank", "actblue")
CONSENTED_AFTER_AS_OF = 0.03
REVOKED = 0.06
# Disclosure text versions and the day each came into use.
DISCLOSURES = (("2019.1", dt.date(2000, 1, 1)), ("2022.2", dt.date(2022, 1, 10)), ("2024.3", dt.date(2024, 2, 1)))

RND_QUERIED = 0.85
RND_REQUERIED = 0.03
RND_RESULTS = ("yes", "no", "no_data")
YES, NO, NO_DATA = range(3)
RND_START = dt.date(2021, 1, 27)  # before this date the database answers `no data`
RND_SERVICE_START = dt.date(2021, 11, 1)

LINE_TYPE_COVERAGE = 0.6
LINE_TYPES = ("wireless", "landline", "voip_fixed", "voip_nonfixed", "unknown", "toll_free")
TOLL_FREE = LINE_TYPES.index("toll_free")  # only and always for toll-free area codes
LINE_TYPE_WEIGHTS = (58, 22, 6, 5, 9, 0)
SHARED_NUMBER_LINE_TYPE_WEIGHTS = (25, 60, 8, 2, 5, 0)  # household numbers are mostly landlines
FRESH_CHECK = 0.75  # checked in the last 15 days
RECHECKED = 0.01
LINE_TYPE_SOURCES = ("twilio_lookup", "telnyx_lookup", "vendor_append")


@dataclass
class Consents:
    """What later sources need to know about the consents written."""

    number: np.ndarray
    consented_at: np.ndarray  # epoch seconds


def _before(rng: np.random.Generator, as_of: int, size: int, max_days: float, min_days: float = 0) -> np.ndarray:
    return as_of - rng.integers(int(min_days * DAY), int(max_days * DAY), size)


def write_consents(folder: pathlib.Path, pop: Population, as_of: int, seed: int) -> tuple[int, Consents]:
    rng = rng_for(seed, "consents")
    count = max(MIN_CONSENTS, round(pop.size * CONSENT_SHARE))
    number = sample_voter_numbers(pop, rng, count, UNKNOWN_NUMBERS)
    again = np.flatnonzero(rng.random(count) < SAME_NUMBER_AGAIN)
    number[again] = number[rng.integers(0, count, len(again))]

    consented = _before(rng, as_of, count, 6 * YEAR_DAYS)
    late = rng.random(count) < CONSENTED_AFTER_AS_OF
    consented[late] = as_of + rng.integers(DAY, 30 * DAY, late.sum())
    revoked = rng.random(count) < REVOKED
    revoked_at = consented + rng.integers(DAY, 2 * 365 * DAY, count)
    entity = np.where(rng.random(count) < CALLER_ENTITY_SHARE, 0, rng.integers(1, 1 + len(OTHER_ENTITIES), count))
    method = rng.integers(0, len(METHODS), count)
    disclosure = np.searchsorted([day_number(d) * DAY for _, d in DISCLOSURES], consented, side="right") - 1

    order = np.argsort(consented, kind="stable")
    number, consented, revoked, revoked_at = number[order], consented[order], revoked[order], revoked_at[order]
    entity, method, disclosure = entity[order], method[order], disclosure[order]
    header = ["phone", "caller_entity", "scope", "consented_at", "method", "source", "disclosure_version", "revoked_at"]
    rows = write_csv(folder / "consents.csv", header, [
        phones.spell_mixed(number, rng, phones.TYPED),
        pick((CALLER_ENTITY,) + OTHER_ENTITIES, entity),
        pick(SCOPES, weighted_choice(rng, SCOPE_WEIGHTS, count)),
        iso_mixed(consented, rng),
        pick(METHODS, method),
        pick(METHOD_SOURCES, method),
        pick([v for v, _ in DISCLOSURES], disclosure),
        pc.if_else(pa.array(revoked), iso_mixed(revoked_at, rng), ""),
    ])
    return rows, Consents(number=number, consented_at=consented)


def write_rnd(folder: pathlib.Path, consents: Consents, as_of: int, seed: int) -> int:
    """Reassigned Numbers Database answers for most consents given by as-of."""
    rng = rng_for(seed, "rnd")
    asked = np.flatnonzero((consents.consented_at <= as_of) & (rng.random(len(consents.number)) < RND_QUERIED))
    again = asked[rng.random(len(asked)) < RND_REQUERIED]
    query = np.concatenate([asked, again])
    second = np.concatenate([np.zeros(len(asked), bool), np.ones(len(again), bool)])
    consent_date = local_dates(consents.consented_at[query])
    service_start = day_number(RND_SERVICE_START) * DAY
    earliest = np.maximum(consents.consented_at[query], service_start)
    queried = earliest + ((as_of - earliest) * rng.random(len(query))).astype(np.int64)
    # A repeat query comes after the first and can find the number reassigned since.
    queried[second] = queried[second] + ((as_of - queried[second]) * rng.random(second.sum())).astype(np.int64)

    before_rnd = pc.less(consent_date, RND_START.isoformat()).to_numpy(zero_copy_only=False)
    result = np.where(
        before_rnd,
        np.where(rng.random(len(query)) < 0.9, NO_DATA, YES),
        np.where(rng.random(len(query)) < 0.04, YES, NO),
    )
    result[second] = np.where(rng.random(second.sum()) < 0.5, YES, result[second])
    order = np.argsort(queried, kind="stable")
    return write_csv(folder / "rnd_results.csv", ["phone", "consent_date", "result", "queried_at"], [
        phones.digits10(consents.number[query][order]),
        consent_date.take(pa.array(order)),
        pick(RND_RESULTS, result[order]),
        iso_mixed(queried[order], rng),
    ])


def write_line_types(folder: pathlib.Path, pop: Population, as_of: int, seed: int) -> int:
    rng = rng_for(seed, "line_types")
    distinct, holders = np.unique(pop.phone.number[pop.phone.valid], return_counts=True)
    checked = distinct[rng.random(len(distinct)) < LINE_TYPE_COVERAGE]
    shared = np.isin(checked, distinct[holders > 1])
    line_type = np.where(
        shared,
        weighted_choice(rng, SHARED_NUMBER_LINE_TYPE_WEIGHTS, len(checked)),
        weighted_choice(rng, LINE_TYPE_WEIGHTS, len(checked)),
    )
    toll_free = np.isin(checked // 10_000_000, np.array(TOLL_FREE_AREA_CODES, dtype=np.int64))
    line_type[toll_free] = TOLL_FREE
    fresh = rng.random(len(checked)) < FRESH_CHECK
    checked_at = np.where(fresh, _before(rng, as_of, len(checked), 15), _before(rng, as_of, len(checked), 400, 16))

    # A few numbers were looked up twice; the older answer differs (the number was ported).
    rechecked = np.flatnonzero(rng.random(len(checked)) < RECHECKED)
    number = np.concatenate([checked, checked[rechecked]])
    line_type = np.concatenate([line_type, (line_type[rechecked] + 1) % TOLL_FREE])
    checked_at = np.concatenate([checked_at, checked_at[rechecked] - rng.integers(30 * DAY, 300 * DAY, len(rechecked))])

    order = np.argsort(checked_at, kind="stable")
    return write_csv(folder / "line_types.csv", ["phone", "line_type", "checked_at", "source"], [
        phones.spell_mixed(number[order], rng, phones.EXPORTED),
        pick(LINE_TYPES, line_type[order]),
        iso_mixed(checked_at[order], rng, local=0.2, utc_z=0.7),
        pick(LINE_TYPE_SOURCES, weighted_choice(rng, (50, 30, 20), len(number))),
    ])
