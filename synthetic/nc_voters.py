"""North Carolina `ncvoter` county files: tab-separated with a header row.

Every county is written in the current 67-column layout except one small county in the
pre-2022 71-column layout, so that readers have to map columns by header name.
"""

from __future__ import annotations

import functools
import pathlib

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from assets.ingest.layouts import NC_VOTER_COLUMNS

from . import names
from .places import ALL_COUNTIES, NC_OLD_LAYOUT_COUNTY
from .population import (
    NC_HISPANIC_RACES, NC_PARTIES, NC_RACES, NC_STATUSES, PLACES, Population, birth_years, precinct_count,
)
from .randomness import rng_for, weighted_choice
from .textio import (
    LineFile, damage_lines, join_fields, malformed_positions, numbers, pick, positions_within, strings,
)
from .timefmt import format_days

# The current layout, from the state's layout file (shared with the reader).
NC_COLUMNS = tuple(NC_VOTER_COLUMNS)
# The layout in force until 02/05/2022.
NC_OLD_COLUMNS = (
    "county_id", "county_desc", "voter_reg_num", "status_cd", "voter_status_desc", "reason_cd",
    "voter_status_reason_desc", "absent_ind", "name_prefx_cd", "last_name", "first_name", "middle_name",
    "name_suffix_lbl", "res_street_address", "res_city_desc", "state_cd", "zip_code", "mail_addr1",
    "mail_addr2", "mail_addr3", "mail_addr4", "mail_city", "mail_state", "mail_zipcode", "full_phone_number",
    "race_code", "ethnic_code", "party_cd", "gender_code", "birth_age", "birth_state", "drivers_lic",
    "registr_dt", "precinct_abbrv", "precinct_desc", "municipality_abbrv", "municipality_desc", "ward_abbrv",
    "ward_desc", "cong_dist_abbrv", "super_court_abbrv", "judic_dist_abbrv", "nc_senate_abbrv",
    "nc_house_abbrv", "county_commiss_abbrv", "county_commiss_desc", "township_abbrv", "township_desc",
    "school_dist_abbrv", "school_dist_desc", "fire_dist_abbrv", "fire_dist_desc", "water_dist_abbrv",
    "water_dist_desc", "sewer_dist_abbrv", "sewer_dist_desc", "sanit_dist_abbrv", "sanit_dist_desc",
    "rescue_dist_abbrv", "rescue_dist_desc", "munic_dist_abbrv", "munic_dist_desc", "dist_1_abbrv",
    "dist_1_desc", "dist_2_abbrv", "dist_2_desc", "confidential_ind", "birth_year", "ncid", "vtd_abbrv",
    "vtd_desc",
)
UNREADABLE_REGISTRATION_DATE = 0.003  # '##/##/####' in registr_dt
BIRTH_STATES = ("NC", "", "VA", "NY", "SC", "PA", "NJ", "OH", "FL", "GA", "CA", "MD", "OC")
BIRTH_STATE_WEIGHTS = (45, 18, 6, 6, 4, 3, 3, 3, 3, 2, 2, 2, 3)


@functools.cache
def _precinct_table() -> tuple[dict[str, pa.Array], np.ndarray]:
    """Per-precinct district columns for every NC county, and each county's first row."""
    columns: dict[str, list[str]] = {}
    offsets = np.zeros(len(ALL_COUNTIES), dtype=np.int64)
    for index, county in enumerate(ALL_COUNTIES):
        offsets[index] = len(columns.get("precinct_abbrv", []))
        if county.state != "NC":
            continue
        number = int(county.code)
        for p in range(precinct_count(county)):
            district = p % 7 + 1
            label = f"{p // 20 + 1:02d}-{p % 20 + 1:02d}"
            row = {
                "precinct_abbrv": label, "precinct_desc": f"PRECINCT {label}",
                "ward_abbrv": f"W{p % 5 + 1}" if p % 3 == 0 else "",
                "ward_desc": f"WARD {p % 5 + 1}" if p % 3 == 0 else "",
                "cong_dist_abbrv": str((number + p % 3) % 14 + 1),
                "super_court_abbrv": f"{number % 30 + 1}{'ABCD'[p % 4]}",
                "judic_dist_abbrv": str(number % 30 + 1),
                "nc_senate_abbrv": str((number + p % 5) % 50 + 1),
                "nc_house_abbrv": str((number * 3 + p % 11) % 120 + 1),
                "county_commiss_abbrv": str(district),
                "county_commiss_desc": f"COUNTY COMMISSIONER DISTRICT {district}",
                "township_abbrv": f"{p % 9 + 1:02d}",
                "township_desc": f"{county.name} TOWNSHIP {p % 9 + 1}",
                "school_dist_abbrv": str(district),
                "school_dist_desc": f"SCHOOL DISTRICT {district}",
                "fire_dist_abbrv": f"F{p % 4 + 1}" if p % 4 == 0 else "",
                "fire_dist_desc": f"FIRE DISTRICT {p % 4 + 1}" if p % 4 == 0 else "",
                "water_dist_abbrv": "", "water_dist_desc": "", "sewer_dist_abbrv": "", "sewer_dist_desc": "",
                "sanit_dist_abbrv": "", "sanit_dist_desc": "",
                "rescue_dist_abbrv": "R1" if p % 10 == 0 else "",
                "rescue_dist_desc": "RESCUE DISTRICT 1" if p % 10 == 0 else "",
                "dist_1_abbrv": str(number % 45 + 1),
                "dist_1_desc": f"PROSECUTORIAL DISTRICT {number % 45 + 1}",
                "vtd_abbrv": label, "vtd_desc": label,
            }
            for name, value in row.items():
                columns.setdefault(name, []).append(value)
    return {name: strings(values) for name, values in columns.items()}, offsets


def ncids(pop: Population, idx: np.ndarray) -> pa.Array:
    """'EH366456': a county letter pair and the voter's digits."""
    return pc.binary_join_element_wise(
        pick([c.ncid_prefix for c in ALL_COUNTIES], pop.county[idx]),
        numbers(pop.state_id[idx], pop.ncid_digits), "",
    )


def precinct_columns(pop: Population, idx: np.ndarray) -> dict[str, pa.Array]:
    """The district columns that follow from each voter's precinct."""
    table, offsets = _precinct_table()
    row = pa.array(offsets[pop.county[idx]] + pop.precinct[idx])
    return {name: values.take(row) for name, values in table.items()}


def nc_voter_columns(
    pop: Population, idx: np.ndarray, as_of_year: int, rng: np.random.Generator
) -> dict[str, pa.Array]:
    """Every column of either layout for voters `idx`, by name."""
    n = len(idx)
    county = pop.county[idx]
    confidential = pop.confidential[idx]
    blank = pa.nulls(n, pa.string())  # written as an empty field

    upper_first = [w.upper() for w in names.FIRST_NAMES.words] + [""]
    middle = np.where(pop.middle_name[idx] < 0, len(upper_first) - 1, pop.middle_name[idx])
    statuses = pop.status[idx]
    # Joined component by component as the state's system does: a blank direction or unit
    # leaves a double or trailing space ("687  HILLSBOROUGH ST ").
    street_address = join_fields([
        numbers(pop.house_number[idx]),
        pick(names.STREET_DIRECTIONS, pop.street_direction[idx]),
        pick(names.STREET_NAMES, pop.street[idx]),
        pick(names.STREET_TYPES, pop.street_type[idx]),
        pc.if_else(pa.array(pop.unit[idx] > 0), join_fields(["APT", numbers(pop.unit[idx])], " "), ""),
    ], " ")
    street_address = pc.if_else(pa.array(confidential), "", street_address)
    zip_code = pick([p[0] for p in PLACES], pop.place[idx])
    city = pick([p[1].upper() for p in PLACES], pop.place[idx])

    # Mailing address: usually the residence, sometimes a PO box, sometimes nothing.
    mail_kind = np.searchsorted([0.8, 0.85], rng.random(n), side="right")
    mail_kind[confidential] = 2
    po_box = join_fields(["PO BOX", numbers(rng.integers(1, 9999, n))], " ")
    has_mail = pa.array(mail_kind < 2)
    mail_addr1 = pc.choose(pa.array(mail_kind.astype(np.int8)), street_address, po_box, blank)

    number = pop.phone.number[idx]
    seven = pop.phone.seven_digit[idx]
    phone = pc.utf8_lpad(numbers(np.where(seven, number % 10_000_000, number)), 10, "0")
    phone = pc.if_else(pa.array(seven), pc.utf8_slice_codeunits(phone, 3), phone)
    phone = pc.if_else(pa.array(number == 0), "", phone)

    registration = format_days(pop.registration_day[idx], "%m/%d/%Y")
    unreadable = pa.array(rng.random(n) < UNREADABLE_REGISTRATION_DATE)
    birth_year = birth_years(pop.birth_day[idx])
    races = [r[0] for r in NC_RACES] + [r[0] for r in NC_HISPANIC_RACES]
    ethnic = np.where(pop.hispanic[idx], np.where(rng.random(n) < 0.75, 0, 2), np.where(rng.random(n) < 0.85, 1, 2))
    municipality = pc.utf8_slice_codeunits(city, 0, 3)

    columns = {
        "county_id": pick([c.code for c in ALL_COUNTIES], county),
        "county_desc": pick([c.name for c in ALL_COUNTIES], county),
        "voter_reg_num": numbers(pop.registration_number[idx], 12),
        "ncid": ncids(pop, idx),
        "last_name": pick([w.upper() for w in names.LAST_NAMES.words], pop.last_name[idx]),
        "first_name": pick(upper_first, pop.first_name[idx]),
        "middle_name": pick(upper_first, middle),
        "name_suffix_lbl": pick(names.NAME_SUFFIXES, pop.suffix[idx]),
        "status_cd": pick([s[0] for s in NC_STATUSES], statuses),
        "voter_status_desc": pick([s[1] for s in NC_STATUSES], statuses),
        "reason_cd": pick([s[2] for s in NC_STATUSES], statuses),
        "voter_status_reason_desc": pick([s[3] for s in NC_STATUSES], statuses),
        "absent_ind": blank,
        "name_prefx_cd": blank,
        "res_street_address": street_address,
        "res_city_desc": pc.if_else(pa.array(confidential), "", city),
        "state_cd": pc.if_else(pa.array(confidential), "", "NC"),
        "zip_code": pc.if_else(pa.array(confidential), "", zip_code),
        "mail_addr1": mail_addr1,
        "mail_addr2": blank,
        "mail_addr3": blank,
        "mail_addr4": blank,
        "mail_city": pc.if_else(has_mail, city, ""),
        "mail_state": pc.if_else(has_mail, "NC", ""),
        "mail_zipcode": pc.if_else(has_mail, zip_code, ""),
        "full_phone_number": phone,
        "confidential_ind": pc.if_else(pa.array(confidential), "Y", "N"),
        "registr_dt": pc.if_else(unreadable, "##/##/####", registration),
        "race_code": pick(races, pop.race[idx]),
        "ethnic_code": pick(("HL", "NL", "UN"), ethnic),
        "party_cd": pick([p[0] for p in NC_PARTIES], pop.party[idx]),
        "gender_code": pick(("F", "M", "U"), pop.sex[idx]),
        "birth_year": numbers(birth_year),
        "age_at_year_end": numbers(as_of_year - birth_year),
        "birth_age": numbers(as_of_year - birth_year),
        "birth_state": pick(BIRTH_STATES, weighted_choice(rng, BIRTH_STATE_WEIGHTS, n)),
        "drivers_lic": pc.if_else(pa.array(rng.random(n) < 0.86), "Y", "N"),
        "municipality_abbrv": municipality,
        "municipality_desc": city,
        "munic_dist_abbrv": municipality,
        "munic_dist_desc": city,
        "dist_2_abbrv": blank,
        "dist_2_desc": blank,
    }
    return columns | precinct_columns(pop, idx)


def write_nc_voters(folder: pathlib.Path, pop: Population, as_of_year: int, seed: int) -> tuple[int, int]:
    """One ncvoter<county_id>.txt per NC county; returns (rows, malformed lines)."""
    rng = rng_for(seed, "nc_voters")
    counties = [i for i, c in enumerate(ALL_COUNTIES) if c.state == "NC"]
    members = [pop.in_county(i) for i in counties]
    damaged = malformed_positions(rng, sum(len(m) for m in members))
    rows = 0
    for county_index, idx in zip(counties, members):
        if len(idx) == 0:
            continue
        county = ALL_COUNTIES[county_index]
        layout = NC_OLD_COLUMNS if county.code == NC_OLD_LAYOUT_COUNTY else NC_COLUMNS
        columns = nc_voter_columns(pop, idx, as_of_year, rng)
        lines = join_fields([columns[name] for name in layout], "\t")
        local = positions_within(damaged, rows, len(idx))
        with LineFile(folder / f"ncvoter{county.code}.txt", "\t".join(layout)) as out:
            out.write(damage_lines(lines, local, rng))
        rows += len(idx)
    return rows, len(damaged)
