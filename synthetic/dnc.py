"""Do-not-call lists: `dnc/federal/` and `dnc/state/<ST>/`, each a full list and later change lists.

Full list lines are `AAANNNNNNN` or `AAA,NNNNNNN` (both spellings in one file); change lines
are `AAA,NNNNNNN,A` (added) or `AAA,NNNNNNN,D` (deleted). The file name carries the snapshot
date. The federal snapshot is 3-10 days older than as-of, its change lists fall between the
two; state lists are quarterly, so a month or so old.
"""

from __future__ import annotations

import datetime as dt
import pathlib

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import phones
from .places import FL_COUNTIES, HOME_AREA_CODES, NC_COUNTIES, OUT_OF_STATE_AREA_CODES
from .population import Population
from .randomness import rng_for
from .textio import LineFile, join_fields, numbers
from .timefmt import to_date

FEDERAL_SHARE = 0.35
# NH numbers on the federal list are excluded even from political robocalls; make sure some exist.
NH_FEDERAL_SHARE = 0.6
NH_AREA_CODE = 603
STATE_SHARE = 0.12
UNKNOWN_NUMBERS = 0.1  # listed numbers that belong to no voter
COMMA_SPELLING = 0.2
CHANGE_SHARE = 0.004


def _area_and_rest(listed: np.ndarray) -> tuple[pa.Array, pa.Array]:
    return numbers(listed // 10_000_000, 3), numbers(listed % 10_000_000, 7)


def _full_lines(listed: np.ndarray, rng: np.random.Generator) -> pa.Array:
    area, rest = _area_and_rest(listed)
    comma = pa.array(rng.random(len(listed)) < COMMA_SPELLING)
    return pc.if_else(comma, join_fields([area, rest], ","), join_fields([area, rest], ""))


def _change_lines(changed: np.ndarray, action: str) -> pa.Array:
    area, rest = _area_and_rest(changed)
    return join_fields([area, rest, pa.repeat(action, len(changed))], ",")


def _write_list(folder: pathlib.Path, candidates: np.ndarray, share: np.ndarray, area_codes: tuple[str, ...],
                snapshot: int, change_days: list[int], rng: np.random.Generator) -> int:
    """A full list drawn from `candidates` (each listed with its `share`), then change lists.

    Every change list adds numbers missing from the full list and deletes listed ones; the
    second one also deletes a number the first one added.
    """
    listed_mask = rng.random(len(candidates)) < share
    unknown = phones.random_numbers(rng, round(len(candidates) * UNKNOWN_NUMBERS), area_codes)
    listed = np.unique(np.concatenate([candidates[listed_mask], unknown]))
    with LineFile(folder / f"dnc_full_{to_date(snapshot):%Y%m%d}.txt") as out:
        out.write(_full_lines(listed, rng))
    rows = out.rows

    unlisted = candidates[~listed_mask]
    per_file = max(1, round(len(listed) * CHANGE_SHARE / len(change_days)))
    added_before = np.array([], dtype=np.int64)
    for day in change_days:
        added = np.unique(rng.choice(unlisted, min(per_file, len(unlisted)), replace=False))
        dropped = rng.choice(listed, min(per_file, len(listed)), replace=False)
        deleted = np.unique(np.concatenate([dropped, added_before[:1]]))
        lines = pa.concat_arrays([_change_lines(added, "A"), _change_lines(deleted, "D")])
        with LineFile(folder / f"dnc_changes_{to_date(day):%Y%m%d}.txt") as out:
            out.write(lines)
        rows += out.rows
        added_before = added
    return rows


def write_dnc(folder: pathlib.Path, pop: Population, as_of_day: int, seed: int) -> int:
    rng = rng_for(seed, "dnc")
    voter_numbers = np.unique(pop.phone.number[pop.phone.valid])
    area = voter_numbers // 10_000_000

    snapshot = as_of_day - int(rng.integers(3, 11))
    middle = snapshot + max(1, (as_of_day - snapshot) // 2)
    share = np.where(area == NH_AREA_CODE, NH_FEDERAL_SHARE, FEDERAL_SHARE)
    rows = _write_list(folder / "federal", voter_numbers, share, HOME_AREA_CODES + OUT_OF_STATE_AREA_CODES,
                       snapshot, sorted({snapshot + 1, middle}), rng)

    for state, counties in (("NC", NC_COUNTIES), ("FL", FL_COUNTIES)):
        codes = tuple(sorted({code for c in counties for code in c.area_codes}))
        candidates = voter_numbers[np.isin(area, np.array(codes, dtype=np.int64))]
        state_snapshot = as_of_day - int(rng.integers(20, 45))
        rows += _write_list(folder / "state" / state, candidates, np.full(len(candidates), STATE_SHARE), codes,
                            state_snapshot, [state_snapshot + int(rng.integers(5, 15))], rng)
    return rows
