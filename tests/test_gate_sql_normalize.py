"""The gate's SQL reading of phone and time texts (expectations/sql_normalize.py) gives the
answer of `facts.normalize_phone` and `facts.parse_time`, text for text: plain spellings read
in SQL, everything else by those functions themselves."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import duckdb
import pandas as pd
import pytest

from expectations.facts import normalize_phone, parse_time
from expectations.sql_normalize import build_phone_map, build_time_map, valid_nanp_sql
from expectations.nanp_validity import is_valid_nanp
from tests.test_nanp_validity import sample

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _texts_table(con, texts: list) -> None:
    con.register("_texts", pd.DataFrame({"text": pd.Series(texts, dtype=object)}))
    con.execute("create or replace table texts as select cast(text as varchar) as text from _texts")
    con.unregister("_texts")


def _phone_spellings() -> list:
    rng = random.Random(7)
    numbers = [str(n).zfill(10) for n in sample() if 10**9 <= n < 10**10][:12_000]
    spellings = []
    for n in numbers:
        spellings += [n, f"1{n}", f"+1{n}", f"({n[:3]}) {n[3:6]}-{n[6:]}", f"{n[:3]}.{n[3:6]}.{n[6:]}",
                      f"+1 {n[:3]} {n[3:6]} {n[6:]}", f" {n} ", f"1-{n[:3]}-{n[3:6]}-{n[6:]}"]
    spellings += [numbers[i] + "9" for i in range(200)] + [numbers[i][:9] for i in range(200)]
    spellings += [f"+44{numbers[i]}" for i in range(50)] + [f"+{numbers[i]}" for i in range(50)]
    spellings += ["", " ", "   ", "+", "()", "-", "0000000000", "10000000000", "+10000000000", "11919555010",
                  "919 555 0142 ext 12", "919-555-0142x3", "tel:+19195550142", "+1\u00a0919\u00a0555\u00a00142",
                  "\uff19\uff11\uff19\uff15\uff15\uff15\uff10\uff11\uff14\uff12", "\u0669\u0661\u0669\u0665\u0665\u0665\u0660\u0661\u0664\u0662",
                  "+1 (919) 555-0142", "+1+9195550142", "9195550142+", "(919)5550142", "919..555..0142",
                  "1 800 555 0142", "+1 268 234 5678", "8095550142", "4165550142", "x" * 120, "9" * 101,
                  "\t9195550142", "9195550142\n", "+ 19195550142", None]
    rng.shuffle(spellings)
    return spellings


def test_valid_nanp_sql_agrees_with_is_valid_nanp():
    numbers = [str(n) for n in sample() if n > 0]
    con = duckdb.connect()
    _texts_table(con, numbers)
    got = dict(con.execute(f"select text, {valid_nanp_sql('text')} from texts").fetchall())
    disagree = [n for n in numbers if got[n] != is_valid_nanp(n)]
    assert not disagree, f"{len(disagree)} of {len(numbers)} disagree, e.g. {disagree[:5]}"


def test_phone_map_agrees_with_normalize_phone():
    spellings = _phone_spellings()
    con = duckdb.connect()
    _texts_table(con, spellings)
    build_phone_map(con, "select text from texts", "phone_map")
    got = dict(con.execute("select text, e164 from phone_map").fetchall())
    plain = con.execute("select count(*) filter (where plain), count(*) from phone_map").fetchone()
    disagree = [s for s in spellings if s is not None and got[s] != normalize_phone(s)]
    assert not disagree, f"{len(disagree)} disagree, e.g. {disagree[:5]}"
    assert plain[0] > 0.9 * plain[1]          # nearly all read in SQL, so the SQL is what is tested
    assert sum(v is not None for v in got.values()) > 20_000


def _time_spellings() -> list:
    rng = random.Random(11)
    texts = []
    for _ in range(3_000):
        y, mo, d = rng.randrange(1990, 2030), rng.randrange(1, 13), rng.randrange(1, 32)
        h, mi, s = rng.randrange(0, 24), rng.randrange(0, 60), rng.randrange(0, 60)
        frac = "" if rng.random() < 0.5 else "." + str(rng.randrange(10**9)).zfill(9)[: rng.randrange(1, 10)]
        off = rng.choice(["", "Z", "+00:00", "-05:00", "+05:30", "-11:00", "+14:00", "-0500", "+05"])
        sep = rng.choice(["T", " ", "t", "_"])
        texts += [f"{y:04d}-{mo:02d}-{d:02d}", f"{y:04d}-{mo:02d}-{d:02d}{sep}{h:02d}:{mi:02d}:{s:02d}{frac}{off}",
                  f"{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}{off}", f"{mo}/{d}/{y}", f"{mo:02d}/{d:02d}/{y}"]
    texts += ["", " ", "2026-02-29", "2024-02-29", "2026-02-29T10:00:00Z", "2026-13-01", "2026-00-10", "0000-01-01",
              "0001-01-01", "9999-12-31T23:59:59Z", "2026-11-28T24:00:00", "2026-11-28T23:60:00", "2026-11-28T23:59:60",
              "2026-11-28+05:00", "2026-11-28T12:00:00+24:00", "20261128", "2026-W48-5", "2026-332", "yesterday",
              " 2026-11-28T12:00:00Z ", "2026-11-28T12:00:00.1234567Z", "\uff12\uff10\uff12\uff16-11-28", "2026-11-28T12",
              "2026-11-28T12:00:00-05:00\n", "2026-11-28 12:00:00.000000+00:00", None]
    return texts


def _micros(instant):
    return None if instant is None else (instant - EPOCH) // timedelta(microseconds=1)


def test_time_map_agrees_with_parse_time():
    texts = _time_spellings()
    con = duckdb.connect()
    con.execute("set TimeZone = 'America/Chicago'")      # the session's zone must not matter
    _texts_table(con, texts)
    build_time_map(con, "select text from texts", "time_map")
    got = dict(con.execute("select text, epoch_us(instant) from time_map").fetchall())
    plain = con.execute("select count(*) filter (where plain), count(*) from time_map").fetchone()
    disagree = [t for t in texts if t is not None and got[t] != _micros(parse_time(t))]
    assert not disagree, f"{len(disagree)} disagree, e.g. {[(t, got[t], parse_time(t)) for t in disagree[:4]]}"
    assert plain[0] > 2_000                   # thousands read in SQL: the SQL is what is tested


@pytest.mark.parametrize("text", ["2026-11-28T12:00:00", "2026-11-28"])
def test_a_time_without_offset_is_utc(text):
    con = duckdb.connect()
    con.execute("set TimeZone = 'Asia/Tokyo'")
    _texts_table(con, [text])
    build_time_map(con, "select text from texts", "time_map")
    assert con.execute("select epoch_us(instant) from time_map").fetchone()[0] == _micros(parse_time(text))
