"""The election calendar of the ten years before as-of, for North Carolina and Florida."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

HISTORY_YEARS = 10
MONDAY, TUESDAY = 0, 1


@dataclass(frozen=True)
class Election:
    day: dt.date
    turnout: float  # multiplier on a voter's propensity to vote
    nc_desc: str | None  # ncvhis election_desc suffix ("GENERAL"); None: not held in NC
    fl_type: str | None  # FL election type (PPP, PRI, RUN, GEN, OTH); None: not held in FL


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> dt.date:
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))


def _election_day(year: int, month: int) -> dt.date:
    """The Tuesday after the first Monday of the month (US general election rule)."""
    return _nth_weekday(year, month, MONDAY, 1) + dt.timedelta(days=1)


def _year(year: int) -> list[Election]:
    """The year's elections in either state.

    Turnout multipliers run higher than real turnout so that history averages about ten
    rows per voter, the volume the pipeline is sized and benchmarked for.
    """
    general = _election_day(year, 11)
    if year % 2 == 0:
        elections = [
            Election(general, 1.0 if year % 4 == 0 else 0.92, "GENERAL", "GEN"),
            Election(_election_day(year, 3), 0.8 if year % 4 == 0 else 0.7, "PRIMARY", None),
            Election(general - dt.timedelta(weeks=11), 0.75, None, "PRI"),
        ]
        if year % 4 == 0:
            elections.append(Election(_nth_weekday(year, 3, TUESDAY, 3), 0.8, None, "PPP"))
        else:
            elections.append(Election(_nth_weekday(year, 5, TUESDAY, 3), 0.5, "SECOND PRIMARY", None))
        return elections
    elections = [
        Election(general, 0.75, "MUNICIPAL GENERAL", "OTH"),
        Election(general - dt.timedelta(weeks=4), 0.6, "MUNICIPAL PRIMARY", None),
        Election(_nth_weekday(year, 3, TUESDAY, 2), 0.65, None, "OTH"),
    ]
    if year % 4 == 1:
        elections.append(Election(_nth_weekday(year, 9, TUESDAY, 2), 0.5, "SPECIAL GENERAL", None))
        elections.append(Election(_nth_weekday(year, 3, TUESDAY, 2) + dt.timedelta(weeks=4), 0.45, None, "RUN"))
    return elections


def elections_before(as_of: dt.date) -> list[Election]:
    """Elections held in the HISTORY_YEARS before `as_of` (strictly before it), by date."""
    start = as_of - dt.timedelta(days=round(HISTORY_YEARS * 365.25))
    found = [e for year in range(start.year, as_of.year + 1) for e in _year(year) if start <= e.day < as_of]
    return sorted(found, key=lambda e: (e.day, e.nc_desc or "", e.fl_type or ""))
