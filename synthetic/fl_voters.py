"""Florida voter extract county files: `<CTY>_<YYYYMMDD>.txt`, tab-separated, no header, 38 columns.

Orange county is written in Latin-1, the others in UTF-8. Voters with a public-records
exemption have their street and mailing address lines withheld as `*` (phone and ZIP kept,
so the exemption itself is what has to keep them off lists).
"""

from __future__ import annotations

import datetime as dt
import pathlib

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import names
from .places import ALL_COUNTIES, FL_LATIN1_COUNTY
from .population import FL_HISPANIC_RACE, FL_PARTIES, FL_RACES, FL_STATUSES, PLACES, Population
from .randomness import rng_for
from .textio import (
    LineFile, damage_lines, join_fields, malformed_positions, numbers, pick, positions_within, strings,
)
from .timefmt import format_days

HAS_EMAIL = 0.3
EXTENSION = 0.01


def fl_voter_columns(pop: Population, idx: np.ndarray, rng: np.random.Generator) -> list[pa.Array]:
    """The 38 columns, in the state's order, for voters `idx`."""
    n = len(idx)
    blank = pa.nulls(n, pa.string())
    exempt = pa.array(pop.confidential[idx])

    street = join_fields([
        numbers(pop.house_number[idx]),
        pick(names.STREET_DIRECTIONS, pop.street_direction[idx]),
        pick(names.STREET_NAMES, pop.street[idx]),
        pick(names.STREET_TYPES, pop.street_type[idx]),
    ], " ")
    street = pc.utf8_trim_whitespace(pc.replace_substring(street, "  ", " "))
    unit = pc.if_else(pa.array(pop.unit[idx] > 0), join_fields(["APT", numbers(pop.unit[idx])], " "), "")
    zip5 = pick([p[0] for p in PLACES], pop.place[idx])
    zip_plus4 = pc.binary_join_element_wise(zip5, numbers(rng.integers(0, 10_000, n), 4), "")
    has_po_box = pa.array(rng.random(n) < 0.08)
    po_box = join_fields(["PO BOX", numbers(rng.integers(1, 99_999, n))], " ")

    number = pop.phone.number[idx]
    seven = pop.phone.seven_digit[idx]
    listed = number != 0
    area = pc.if_else(pa.array(listed & ~seven), numbers(number // 10_000_000, 3), "")
    local = pc.if_else(pa.array(listed), numbers(number % 10_000_000, 7), "")
    extension = pc.if_else(pa.array(listed & (rng.random(n) < EXTENSION)), numbers(rng.integers(1, 9999, n)), "")

    race = pop.race[idx]
    race_text = pc.if_else(pa.array(race < 0), FL_HISPANIC_RACE, pick([r[0] for r in FL_RACES], np.maximum(race, 0)))
    precinct = pop.precinct[idx] + 100
    middle = np.where(pop.middle_name[idx] < 0, len(names.FIRST_NAMES.words), pop.middle_name[idx])
    has_email = pa.array(rng.random(n) < HAS_EMAIL)
    email = pc.if_else(has_email, names.email_addresses(pop.first_name[idx], pop.last_name[idx], rng), "")
    county = pop.county[idx]

    return [
        pick([c.code for c in ALL_COUNTIES], county),
        numbers(pop.state_id[idx]),
        pick(names.LAST_NAMES.words, pop.last_name[idx]),
        pick([s.title() for s in names.NAME_SUFFIXES], pop.suffix[idx]),
        pick(names.FIRST_NAMES.words, pop.first_name[idx]),
        pick(names.FIRST_NAMES.words + [""], middle),
        pc.if_else(exempt, "Y", "N"),
        pc.if_else(exempt, "*", street),
        pc.if_else(exempt, "*", unit),
        pick([p[1].upper() for p in PLACES], pop.place[idx]),
        pa.repeat("FL", n),
        pc.if_else(pa.array(rng.random(n) < 0.3), zip_plus4, zip5),
        pc.if_else(exempt, "*", pc.if_else(has_po_box, po_box, "")),
        blank,
        blank,
        pc.if_else(has_po_box, pick([p[1].upper() for p in PLACES], pop.place[idx]), ""),
        pc.if_else(has_po_box, "FL", ""),
        pc.if_else(has_po_box, zip5, ""),
        blank,
        pick(("F", "M", "U"), pop.sex[idx]),
        race_text,
        format_days(pop.birth_day[idx], "%m/%d/%Y"),
        format_days(pop.registration_day[idx], "%m/%d/%Y"),
        pick([p[0] for p in FL_PARTIES], pop.party[idx]),
        numbers(precinct),
        blank,
        join_fields([numbers(precinct), numbers(pop.precinct[idx] % 3 + 1)], "."),
        blank,
        pick([s[0] for s in FL_STATUSES], pop.status[idx]),
        numbers(pop.precinct[idx] % 3 + 20 + county % 8),
        numbers(pop.precinct[idx] % 5 + 100 + county % 20),
        numbers(pop.precinct[idx] % 2 + 30 + county % 9),
        numbers(pop.precinct[idx] % 7 + 1),
        numbers(pop.precinct[idx] % 5 + 1),
        area,
        local,
        extension,
        email,
    ]


def write_fl_voters(folder: pathlib.Path, pop: Population, extract_day: dt.date, seed: int) -> tuple[int, int]:
    """One `<CTY>_<YYYYMMDD>.txt` per FL county; returns (rows, malformed lines)."""
    rng = rng_for(seed, "fl_voters")
    counties = [i for i, c in enumerate(ALL_COUNTIES) if c.state == "FL"]
    members = [pop.in_county(i) for i in counties]
    damaged = malformed_positions(rng, sum(len(m) for m in members))
    rows = 0
    for county_index, idx in zip(counties, members):
        if len(idx) == 0:
            continue
        county = ALL_COUNTIES[county_index]
        lines = join_fields(fl_voter_columns(pop, idx, rng), "\t")
        local = positions_within(damaged, rows, len(idx))
        encoding = "latin-1" if county.code == FL_LATIN1_COUNTY else "utf-8"
        with LineFile(folder / f"{county.code}_{extract_day:%Y%m%d}.txt", encoding=encoding) as out:
            out.write(damage_lines(lines, local, rng))
        rows += len(idx)
    return rows, len(damaged)
