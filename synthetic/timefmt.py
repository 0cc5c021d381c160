"""Dates and instants as the sources write them.

Days are int day numbers since 1970-01-01; instants are int epoch seconds.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# The campaign's home zone: local times in NC and FL exports are written in Eastern time.
EASTERN = "America/New_York"
DAY = 86_400
YEAR_DAYS = 365.25


def day_number(day: dt.date) -> int:
    return (day - dt.date(1970, 1, 1)).days


def to_date(day: int) -> dt.date:
    return dt.date(1970, 1, 1) + dt.timedelta(days=int(day))


def format_days(days: np.ndarray, fmt: str) -> pa.Array:
    """strftime over the few distinct days, then a take: far cheaper than per-row formatting."""
    days = np.asarray(days, dtype=np.int64)
    if len(days) == 0:
        return pa.array([], pa.string())
    first = int(days.min())
    calendar = np.arange(first, int(days.max()) + 1, dtype=np.int64) * DAY
    texts = pc.strftime(pa.array(calendar).cast(pa.timestamp("s")), format=fmt)
    return texts.take(pa.array(days - first))


def _strftime(seconds: np.ndarray, zone: str, fmt: str) -> pa.Array:
    instants = pa.array(np.asarray(seconds, dtype=np.int64)).cast(pa.timestamp("s", tz="UTC"))
    return pc.strftime(instants.cast(pa.timestamp("s", tz=zone)), format=fmt)


def iso_local(seconds: np.ndarray) -> pa.Array:
    """'2026-03-14T15:22:05-04:00' (Eastern, offset follows daylight saving time)."""
    text = _strftime(seconds, EASTERN, "%Y-%m-%dT%H:%M:%S%z")
    return pc.replace_substring_regex(text, r"([+-]\d\d)(\d\d)$", r"\1:\2")


def iso_utc(seconds: np.ndarray) -> pa.Array:
    """'2026-03-14T19:22:05Z'."""
    return _strftime(seconds, "UTC", "%Y-%m-%dT%H:%M:%SZ")


def iso_utc_offset(seconds: np.ndarray) -> pa.Array:
    """'2026-03-14T19:22:05+00:00'."""
    return _strftime(seconds, "UTC", "%Y-%m-%dT%H:%M:%S+00:00")


def local_dates(seconds: np.ndarray) -> pa.Array:
    """'2026-03-14': the Eastern calendar day."""
    return _strftime(seconds, EASTERN, "%Y-%m-%d")


def local_plain(seconds: np.ndarray) -> pa.Array:
    """'2026-03-14 15:22:05' in Eastern time (ActBlue exports)."""
    return _strftime(seconds, EASTERN, "%Y-%m-%d %H:%M:%S")


def iso_mixed(seconds: np.ndarray, rng: np.random.Generator, local: float = 0.7, utc_z: float = 0.15) -> pa.Array:
    """ISO 8601 with an offset, as different tools write it: Eastern offset, `Z` or `+00:00`."""
    seconds = np.asarray(seconds, dtype=np.int64)
    style = np.searchsorted(np.cumsum([local, utc_z]), rng.random(len(seconds)), side="right")
    return pc.choose(
        pa.array(style.astype(np.int8)), iso_local(seconds), iso_utc(seconds), iso_utc_offset(seconds)
    )
