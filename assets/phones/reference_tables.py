"""The `ref` tables the SQL phone macro reads, derived from `phonenumbers` and `zipcodes`.

The dbt macro `phone_e164` (dbt_project/macros/phones.sql) parses spellings in SQL and asks
these tables whether the national number is valid, so validity stays exactly what
`phonenumbers.is_valid_number` says without calling Python once per row. Which numbers are
valid comes from `metadata_compiler`.

Tables (schema `ref`):

- `phone_prefixes(prefix INTEGER, region VARCHAR)`: first six digits (NPA-NXX) of a
  10-digit national number, where every one of the 10,000 numbers under it is valid;
  `region` is what `region_code_for_number` says (US, CA, PR, JM, ...).
- `phone_number_exceptions(national_number BIGINT, region VARCHAR)`: every valid number of
  an NPA-NXX whose validity depends on the last four digits (phonenumbers 9.0.43: parts of
  Barbados 246-521 and 246-522 and of Jamaica 876-606), so nothing is rounded either way.
- `area_codes(area_code VARCHAR, state VARCHAR, time_zones VARCHAR[])`.
- `zip_codes(zip5 VARCHAR, state VARCHAR, time_zone VARCHAR)`.
"""

from __future__ import annotations

import hashlib
import os
import re
import zoneinfo
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import duckdb
import phonenumbers
from phonenumbers import geocoder

# Resolved through the module so the lookup tables below are phonenumbers' own data.
from phonenumbers import timezone as phone_timezone
from phonenumbers.geodata import GEOCODE_DATA
from phonenumbers.tzdata import TIMEZONE_DATA, TIMEZONE_LONGEST_PREFIX

from ..sql_text import exact_path, sql_string
from .metadata_compiler import (
    ExceptionNumber,
    MIXED,
    NANP_COUNTRY_CODE,
    NumberClasses,
    SUFFIX_DIGITS,
    UniformBlock,
    check_parsing_assumptions,
    classify_ten_digit_numbers,
)

REFERENCE_SCHEMA = "ref"
# Bump when the tables' content or layout changes, so cached copies are rebuilt.
CACHE_LAYOUT_VERSION = 1

US_STATE_CODES = {
    "Alabama": "AL", "Alaska": "AK", "Arizona": "AZ", "Arkansas": "AR", "California": "CA",
    "Colorado": "CO", "Connecticut": "CT", "Delaware": "DE", "Florida": "FL", "Georgia": "GA",
    "Hawaii": "HI", "Idaho": "ID", "Illinois": "IL", "Indiana": "IN", "Iowa": "IA",
    "Kansas": "KS", "Kentucky": "KY", "Louisiana": "LA", "Maine": "ME", "Maryland": "MD",
    "Massachusetts": "MA", "Michigan": "MI", "Minnesota": "MN", "Mississippi": "MS",
    "Missouri": "MO", "Montana": "MT", "Nebraska": "NE", "Nevada": "NV",
    "New Hampshire": "NH", "New Jersey": "NJ", "New Mexico": "NM", "New York": "NY",
    "North Carolina": "NC", "North Dakota": "ND", "Ohio": "OH", "Oklahoma": "OK",
    "Oregon": "OR", "Pennsylvania": "PA", "Rhode Island": "RI", "South Carolina": "SC",
    "South Dakota": "SD", "Tennessee": "TN", "Texas": "TX", "Utah": "UT", "Vermont": "VT",
    "Virginia": "VA", "Washington": "WA", "Washington State": "WA", "West Virginia": "WV",
    "Wisconsin": "WI", "Wyoming": "WY",
    # Not states, but they have USPS codes and US voter and donor records use them.
    "Washington D.C.": "DC", "Washington DC": "DC", "District of Columbia": "DC",
    "Puerto Rico": "PR", "Guam": "GU", "American Samoa": "AS",
    "Northern Mariana Islands": "MP", "U.S. Virgin Islands": "VI",
    "US Virgin Islands": "VI", "United States Virgin Islands": "VI",
}
USPS_CODES = frozenset(US_STATE_CODES.values())



# ---------------------------------------------------------------------------
# Area codes: state and time zones
# ---------------------------------------------------------------------------


def state_from_description(description: str | None) -> str | None:
    """USPS code from a geocoder description ("North Carolina", "Raleigh, NC")."""
    if not description:
        return None
    if description in US_STATE_CODES:
        return US_STATE_CODES[description]
    match = re.fullmatch(r".*, ([A-Z]{2})", description)
    if match and match.group(1) in USPS_CODES:
        return match.group(1)
    return None


def time_zones_for_prefix(prefix: str, geographic: int) -> set[str]:
    """The zones phonenumbers.timezone.time_zones_for_number gives the valid numbers of an
    NPA-NXX (six digits); geographic is 1, 0 or MIXED.

    Geographic numbers use the longest matching time-zone key; other types (toll-free,
    personal, mobile-only outside the US) get every zone of country code 1."""
    zones: set[str] = set()
    if geographic in (1, MIXED):
        digits = f"{NANP_COUNTRY_CODE}{prefix}"
        for length in range(min(TIMEZONE_LONGEST_PREFIX, len(digits)), 0, -1):
            if digits[:length] in TIMEZONE_DATA:
                zones.update(TIMEZONE_DATA[digits[:length]])
                break
    if geographic in (0, MIXED):
        zones.update(TIMEZONE_DATA.get(str(NANP_COUNTRY_CODE), ()))
    zones.discard(phone_timezone.UNKNOWN_TIMEZONE)
    return zones


def _areas_with_finer_time_zones() -> frozenset[str]:
    """Area codes whose time zone data goes below the area code (e.g. 850 by exchange)."""
    country = str(NANP_COUNTRY_CODE)
    return frozenset(key[1:4] for key in TIMEZONE_DATA if key.startswith(country) and len(key) > 4)


def _block_parts_by_area(block: UniformBlock) -> Iterator[tuple[str, int, int]]:
    """(area code, first prefix, end prefix) for each area code a block touches."""
    low, high = block.prefix_range
    for area in range(low // 1000, (high - 1) // 1000 + 1):
        yield f"{area:03d}", max(low, area * 1000), min(high, (area + 1) * 1000)


def _area_code_state(area_code: str, sample_numbers: list[int]) -> str | None:
    """The geocoder's description at area-code level, as a USPS code.

    The area-code entry ("North Carolina") is what the geocoder answers for exchanges
    without a city of their own; without one, ask the geocoder about sample numbers of the
    area code (territories answer with their name, e.g. "Puerto Rico")."""
    entry = GEOCODE_DATA.get(f"{NANP_COUNTRY_CODE}{area_code}", {}).get("en")
    if entry:
        return state_from_description(entry)
    states = Counter()
    for national_number in sample_numbers:
        number = phonenumbers.PhoneNumber(country_code=NANP_COUNTRY_CODE, national_number=national_number)
        state = state_from_description(geocoder.description_for_number(number, "en"))
        if state:
            states[state] += 1
    return states.most_common(1)[0][0] if states else None


@dataclass
class AreaCode:
    area_code: str
    state: str | None
    time_zones: list[str]


def area_code_rows(classes: NumberClasses) -> list[AreaCode]:
    finer = _areas_with_finer_time_zones()
    zones_by_area: dict[str, set[str]] = {}
    samples_by_area: dict[str, list[int]] = {}
    geographic_samples_by_area: dict[str, list[int]] = {}
    for block in classes.blocks:
        for area_code, first, end in _block_parts_by_area(block):
            zones = zones_by_area.setdefault(area_code, set())
            # Without finer keys every prefix of the area code gets the same answer.
            for prefix in range(first, end if area_code in finer else first + 1):
                zones.update(time_zones_for_prefix(f"{prefix:06d}", block.geographic))
            samples_by_area.setdefault(area_code, []).append(first * 10**SUFFIX_DIGITS)
            if block.geographic != 0:
                geographic_samples_by_area.setdefault(area_code, []).append(first * 10**SUFFIX_DIGITS)
    for exception in classes.exceptions:
        prefix = f"{exception.national_number // 10**SUFFIX_DIGITS:06d}"
        zones_by_area.setdefault(prefix[:3], set()).update(time_zones_for_prefix(prefix, exception.geographic))
        samples_by_area.setdefault(prefix[:3], []).append(exception.national_number)
    rows = []
    for area_code in sorted(zones_by_area):
        samples = (geographic_samples_by_area.get(area_code) or samples_by_area[area_code])[:25]
        rows.append(AreaCode(area_code, _area_code_state(area_code, samples), sorted(zones_by_area[area_code])))
    return rows


# ---------------------------------------------------------------------------
# ZIP codes
# ---------------------------------------------------------------------------


def clean_time_zone(name: str | None, known: frozenset[str]) -> str | None:
    """zipcodes has blanks (military ZIPs) and a few non-zone words; those become NULL so
    the pipeline falls back to the area code instead of trusting a bad zone."""
    if not name:
        return None
    if known:
        return name if name in known else None
    # No tz database on this machine: accept what looks like an IANA Area/Location name.
    return name if re.fullmatch(r"[A-Za-z_]+(?:/[A-Za-z0-9_+\-]+)+", name) else None


@dataclass
class ZipCode:
    zip5: str
    state: str | None
    time_zone: str | None


def zip_code_rows() -> list[ZipCode]:
    import zipcodes

    known = frozenset(zoneinfo.available_timezones())
    return [
        ZipCode(record["zip_code"], record["state"] or None, clean_time_zone(record.get("timezone"), known))
        for record in zipcodes.list_all()
    ]


# ---------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------

REFERENCE_TABLES = ("phone_prefixes", "phone_number_exceptions", "area_codes", "zip_codes")


def _create_prefix_table(con: duckdb.DuckDBPyConnection, blocks: list[UniformBlock]) -> None:
    ranges = [block.prefix_range for block in blocks]
    con.execute(
        f"""
        create or replace table {REFERENCE_SCHEMA}.phone_prefixes as
        with blocks as (
            select unnest($low) as low, unnest($high) as high, unnest($region) as region
        )
        select cast(unnest(range(low, high)) as integer) as prefix, cast(region as varchar) as region
        from blocks
        order by prefix
        """,
        {
            "low": [low for low, _ in ranges],
            "high": [high for _, high in ranges],
            "region": [block.region for block in blocks],
        },
    )


def _create_exception_table(con: duckdb.DuckDBPyConnection, exceptions: list[ExceptionNumber]) -> None:
    con.execute(
        f"""
        create or replace table {REFERENCE_SCHEMA}.phone_number_exceptions as
        select cast(unnest($number) as bigint) as national_number, cast(unnest($region) as varchar) as region
        order by national_number
        """,
        {"number": [e.national_number for e in exceptions], "region": [e.region for e in exceptions]},
    )


def _create_area_code_table(con: duckdb.DuckDBPyConnection, rows: list[AreaCode]) -> None:
    con.execute(
        f"""
        create or replace table {REFERENCE_SCHEMA}.area_codes as
        select cast(unnest($area_code) as varchar) as area_code,
               cast(unnest($state) as varchar) as state,
               cast(unnest($time_zones) as varchar[]) as time_zones
        order by area_code
        """,
        {
            "area_code": [row.area_code for row in rows],
            "state": [row.state for row in rows],
            "time_zones": [row.time_zones for row in rows],
        },
    )


def _create_zip_code_table(con: duckdb.DuckDBPyConnection, rows: list[ZipCode]) -> None:
    con.execute(
        f"""
        create or replace table {REFERENCE_SCHEMA}.zip_codes as
        select cast(unnest($zip5) as varchar) as zip5,
               cast(unnest($state) as varchar) as state,
               cast(unnest($time_zone) as varchar) as time_zone
        order by zip5
        """,
        {
            "zip5": [row.zip5 for row in rows],
            "state": [row.state for row in rows],
            "time_zone": [row.time_zone for row in rows],
        },
    )


def _derive_tables(con: duckdb.DuckDBPyConnection) -> None:
    classes = classify_ten_digit_numbers()
    check_parsing_assumptions(classes)
    _create_prefix_table(con, classes.blocks)
    _create_exception_table(con, classes.exceptions)
    _create_area_code_table(con, area_code_rows(classes))
    _create_zip_code_table(con, zip_code_rows())


def cache_key() -> str:
    """Changes whenever the source data or this module changes."""
    import zipcodes

    zipcodes_version = getattr(zipcodes, "__version__", "unknown")
    source = hashlib.sha256(b"".join(path.read_bytes() for path in sorted(Path(__file__).parent.glob("*.py")))).hexdigest()[:12]
    return f"phonenumbers-{phonenumbers.__version__}-zipcodes-{zipcodes_version}-v{CACHE_LAYOUT_VERSION}-{source}"


def _load_cached_tables(con: duckdb.DuckDBPyConnection, directory: Path) -> bool:
    if not all((directory / f"{table}.parquet").is_file() for table in REFERENCE_TABLES):
        return False
    for table in REFERENCE_TABLES:
        with exact_path(directory / f"{table}.parquet") as readable:
            con.execute(f"create or replace table {REFERENCE_SCHEMA}.{table} as select * from read_parquet(?)", [readable])
    return True


def _store_cached_tables(con: duckdb.DuckDBPyConnection, directory: Path) -> None:
    # Written next to the final place and renamed, so a crash never leaves half a cache.
    staging = directory.with_name(f"{directory.name}.tmp-{os.getpid()}")
    staging.mkdir(parents=True, exist_ok=True)
    for table in REFERENCE_TABLES:
        con.execute(
            f"copy {REFERENCE_SCHEMA}.{table} to {sql_string(str(staging / f'{table}.parquet'))} (format parquet)"
        )
    try:
        staging.rename(directory)
    except OSError:  # another run stored the same cache first
        for file in staging.iterdir():
            file.unlink()
        staging.rmdir()


def build_reference_tables(con: duckdb.DuckDBPyConnection, cache_dir: Path | str | None = None) -> dict[str, int]:
    """Create (or replace) the `ref` tables; returns row counts by table name.

    With cache_dir, the derived tables are kept there as parquet files keyed by the
    phonenumbers and zipcodes versions, so later runs load them instead of deriving."""
    con.execute(f"create schema if not exists {REFERENCE_SCHEMA}")
    cache = Path(cache_dir) / cache_key() if cache_dir is not None else None
    if cache is None or not _load_cached_tables(con, cache):
        _derive_tables(con)
        if cache is not None:
            _store_cached_tables(con, cache)
    return {
        table: con.execute(f"select count(*) from {REFERENCE_SCHEMA}.{table}").fetchone()[0]
        for table in REFERENCE_TABLES
    }
