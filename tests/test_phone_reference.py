"""The ref tables from assets/phones/ against phonenumbers, zipcodes and the contract."""

from __future__ import annotations

import random
import re
import time

import duckdb
import phonenumbers
import pytest
from phonenumbers import geocoder
from phonenumbers import timezone as phone_timezone

from assets import phones


@pytest.fixture(scope="module")
def con():
    with duckdb.connect() as connection:
        connection.execute("set threads = 2")
        yield connection


@pytest.fixture(scope="module")
def counts(con) -> dict[str, int]:
    return phones.build_reference_tables(con)


@pytest.fixture(scope="module")
def prefixes(con, counts) -> dict[int, str]:
    return dict(con.execute("select prefix, region from ref.phone_prefixes").fetchall())


@pytest.fixture(scope="module")
def exceptions(con, counts) -> dict[int, str]:
    return dict(con.execute("select national_number, region from ref.phone_number_exceptions").fetchall())


@pytest.fixture(scope="module")
def area_codes(con, counts) -> dict[str, tuple[str | None, list[str]]]:
    return {row[0]: (row[1], row[2]) for row in con.execute("select * from ref.area_codes").fetchall()}


def nanp_number(national_number: int) -> phonenumbers.PhoneNumber:
    return phonenumbers.PhoneNumber(country_code=1, national_number=national_number)


def table_says_valid(national_number: int, prefixes: dict, exceptions: dict) -> bool:
    return national_number // 10_000 in prefixes or national_number in exceptions


def table_region(national_number: int, prefixes: dict, exceptions: dict) -> str | None:
    return prefixes.get(national_number // 10_000) or exceptions.get(national_number)


# ---------------------------------------------------------------------------
# Shape of the tables
# ---------------------------------------------------------------------------


def test_schemas_and_counts(con, counts):
    schemas = {
        "phone_prefixes": [("prefix", "INTEGER"), ("region", "VARCHAR")],
        "phone_number_exceptions": [("national_number", "BIGINT"), ("region", "VARCHAR")],
        "area_codes": [("area_code", "VARCHAR"), ("state", "VARCHAR"), ("time_zones", "VARCHAR[]")],
        "zip_codes": [("zip5", "VARCHAR"), ("state", "VARCHAR"), ("time_zone", "VARCHAR")],
    }
    for table, columns in schemas.items():
        described = [(row[0], row[1]) for row in con.execute(f"describe ref.{table}").fetchall()]
        assert described == columns, table
        assert counts[table] == con.execute(f"select count(*) from ref.{table}").fetchone()[0] > 0
    assert counts["phone_prefixes"] > 300_000
    assert con.execute("select count(*) - count(distinct prefix) from ref.phone_prefixes").fetchone()[0] == 0


def test_regions_cover_the_nanp(prefixes):
    assert {"US", "CA", "PR", "JM", "GU", "VI"} <= set(prefixes.values())
    assert set(prefixes.values()) <= set(phones.nanp_regions())


# ---------------------------------------------------------------------------
# Validity against phonenumbers.is_valid_number
# ---------------------------------------------------------------------------


def test_prefixes_agree_with_is_valid_number_on_random_numbers(prefixes, exceptions):
    rng = random.Random(7)
    valid_prefixes = list(prefixes)
    samples = [rng.randrange(2_000_000_000, 10_000_000_000) for _ in range(15_000)]
    samples += [rng.choice(valid_prefixes) * 10_000 + rng.randrange(10_000) for _ in range(10_000)]
    # Valid area code, any exchange: where most near-misses live.
    samples += [rng.choice(valid_prefixes) // 1000 * 10_000_000 + rng.randrange(10_000_000) for _ in range(10_000)]
    disagreements = [
        n for n in samples
        if phonenumbers.is_valid_number(nanp_number(n)) != table_says_valid(n, prefixes, exceptions)
    ]
    assert not disagreements, disagreements[:10]
    wrong_region = [
        n for n in samples
        if table_says_valid(n, prefixes, exceptions)
        and phonenumbers.region_code_for_number(nanp_number(n)) != table_region(n, prefixes, exceptions)
    ]
    assert not wrong_region, wrong_region[:10]


def test_partial_prefixes_are_exact_down_to_the_last_four_digits(prefixes, exceptions):
    """Every NPA-NXX whose validity depends on the last four digits, checked number by
    number: the exceptions table holds exactly its valid numbers."""
    partial = sorted({n // 10_000 for n in exceptions})
    assert partial, "phonenumbers 9.0 has such prefixes (Barbados, Jamaica); none were found"
    for prefix in partial:
        assert prefix not in prefixes
        valid = {prefix * 10_000 + line for line in range(10_000)
                 if phonenumbers.is_valid_number(nanp_number(prefix * 10_000 + line))}
        assert 0 < len(valid) < 10_000
        assert valid == {n for n in exceptions if n // 10_000 == prefix}


def test_uniform_prefixes_are_uniform(prefixes, exceptions):
    """Whole NPA-NXX blocks, every number: all valid inside the table, none outside."""
    rng = random.Random(11)
    partial = {n // 10_000 for n in exceptions}
    inside = rng.sample(sorted(prefixes), 2)
    outside = [p for p in (rng.randrange(200_000, 1_000_000) for _ in range(200))
               if p not in prefixes and p not in partial][:1]
    outside.append(next(p for p in range(919_000, 920_000) if p not in prefixes))
    for prefix in inside + outside:
        verdicts = {phonenumbers.is_valid_number(nanp_number(prefix * 10_000 + line)) for line in range(10_000)}
        assert verdicts == {prefix in prefixes}, prefix


def test_every_valid_national_number_starts_with_2_to_9(con, counts):
    assert con.execute("select min(prefix) from ref.phone_prefixes").fetchone()[0] >= 200_000
    assert con.execute("select min(national_number) from ref.phone_number_exceptions").fetchone()[0] >= 2_000_000_000


# ---------------------------------------------------------------------------
# Area codes and ZIP codes
# ---------------------------------------------------------------------------


def test_850_spans_central_and_eastern_time(area_codes):
    state, zones = area_codes["850"]
    assert state == "FL"
    assert zones == ["America/Chicago", "America/New_York"]


def test_919_is_north_carolina(area_codes):
    assert area_codes["919"] == ("NC", ["America/New_York"])


def test_non_us_area_codes_have_no_state(area_codes):
    assert area_codes["416"][0] is None  # Toronto
    assert area_codes["876"][0] is None  # Jamaica
    assert area_codes["787"][0] == "PR"  # a territory with a USPS code


def test_area_code_zones_are_what_phonenumbers_gives(area_codes, prefixes, exceptions):
    """For sampled area codes: the union of time_zones_for_number over one number of every
    valid NPA-NXX equals the table's zones."""
    rng = random.Random(3)
    chosen = {"850", "919", "208", "270", "246", "876", "800", "907"} | set(rng.sample(sorted(area_codes), 25))
    for area_code in sorted(chosen):
        area = int(area_code)
        numbers = [p * 10_000 + rng.randrange(10_000) for p in range(area * 1000, area * 1000 + 1000) if p in prefixes]
        numbers += [n for n in exceptions if n // 10_000_000 == area][::50]
        zones = set()
        for national_number in numbers:
            zones.update(phone_timezone.time_zones_for_number(nanp_number(national_number)))
        zones.discard(phone_timezone.UNKNOWN_TIMEZONE)
        assert sorted(zones) == area_codes[area_code][1], area_code


def test_area_code_states_agree_with_the_geocoder(area_codes, prefixes):
    rng = random.Random(5)
    for prefix in rng.sample(sorted(prefixes), 3000):
        national_number = prefix * 10_000 + rng.randrange(10_000)
        state = phones.state_from_description(geocoder.description_for_number(nanp_number(national_number), "en"))
        if state is not None:
            assert area_codes[f"{prefix:06d}"[:3]][0] == state, national_number


def test_zip_27601_is_raleigh_eastern_time(con, counts):
    assert con.execute("select * from ref.zip_codes where zip5 = '27601'").fetchall() == [
        ("27601", "NC", "America/New_York")
    ]


def test_zip_codes_are_unique_and_zones_real(con, counts):
    assert con.execute("select count(*) - count(distinct zip5) from ref.zip_codes").fetchone()[0] == 0
    assert con.execute("select count(*) from ref.zip_codes where zip5 not similar to '[0-9]{5}'").fetchone()[0] == 0
    zones = [row[0] for row in con.execute(
        "select distinct time_zone from ref.zip_codes where time_zone is not null").fetchall()]
    assert all(re.fullmatch(r"[A-Za-z_]+(/[A-Za-z0-9_+\-]+)+", zone) for zone in zones)


# ---------------------------------------------------------------------------
# Speed and cache
# ---------------------------------------------------------------------------


def test_build_is_fast_and_cache_round_trips(tmp_path):
    with duckdb.connect() as fresh, duckdb.connect() as cached:
        began = time.perf_counter()
        derived_counts = phones.build_reference_tables(fresh, cache_dir=tmp_path)
        assert time.perf_counter() - began < 10
        assert phones.build_reference_tables(cached, cache_dir=tmp_path) == derived_counts
        assert [p.name for p in tmp_path.iterdir()] == [phones.cache_key()]
        for table in phones.REFERENCE_TABLES:
            query = f"select * from ref.{table} order by all"
            assert fresh.execute(query).fetchall() == cached.execute(query).fetchall(), table


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("description", "state"),
    [("North Carolina", "NC"), ("Raleigh, NC", "NC"), ("Washington D.C.", "DC"), ("Washington State", "WA"),
     ("Puerto Rico", "PR"), ("Ontario", None), ("Toronto, ON", None), ("Jamaica", None), ("", None), (None, None)],
)
def test_state_from_description(description, state):
    assert phones.state_from_description(description) == state


@pytest.mark.parametrize(
    ("name", "known", "cleaned"),
    [("America/New_York", frozenset({"America/New_York"}), "America/New_York"),
     ("Napakiak", frozenset({"America/New_York"}), None),
     ("", frozenset(), None),
     ("America/Indiana/Knox", frozenset(), "America/Indiana/Knox"),
     ("Napakiak", frozenset(), None)],
)
def test_clean_time_zone(name, known, cleaned):
    assert phones.clean_time_zone(name, known) == cleaned


@pytest.mark.parametrize(
    "pattern",
    [r"(?:1|23)\d{2}", r"[^3]\d{3}", r"\d{1,3}9?", r"(?:4[0-5]|[67]\d)(?:0|1\d)", r"12*3?\d?",
     r"(?:2(?:0[1-35-9]|1[02-9])|3(?:0[1-57-9]|1[02-9]))[2-9]\d"],
)
def test_decision_diagrams_match_python_regexes(pattern):
    diagrams = phones.DigitDiagrams(length=4)
    root = diagrams.from_regex(pattern)
    for number in range(10_000):
        text = f"{number:04d}"
        node = root
        for digit in text:
            node = diagrams.children(node)[int(digit)]
        assert diagrams.constant_value(node) == int(bool(re.fullmatch(pattern, text))), text


def test_parsing_assumptions_hold_and_fail_loudly():
    classes = phones.classify_ten_digit_numbers()
    phones.check_parsing_assumptions(classes)
    classes.blocks.append(phones.UniformBlock(10, 3, 111, "US", 1))
    with pytest.raises(phones.MetadataAssumptionError):
        phones.check_parsing_assumptions(classes)
