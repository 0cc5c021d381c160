"""The gate's normalization of phone and time texts in DuckDB, for the sources too big to
read row by row in Python (ten million voters bring millions of line-type answers).

Each text is read in SQL when it is spelled the plain way (a US number of digits, spaces,
dots, dashes and parentheses; an ISO 8601 time), and by `facts.normalize_phone` and
`facts.parse_time` themselves, once per distinct text, otherwise. The SQL gives their answer
for every plain spelling (tests/test_gate_sql_normalize.py compares them). NANP validity is
phonenumbers' own metadata (`nanp_validity`'s steps, region by region, as RE2 expressions):
still a second path beside the dbt phone macro's prefix tables.
"""

from __future__ import annotations

import functools

import pandas as pd

from assets.sql_text import sql_string

from .nanp_validity import _Description, _regions

# A plain US spelling as `facts.normalize_phone` reads it without the parser.
PLAIN_PHONE = r"\+?[0-9 ().\-]+"
# An ISO 8601 time that `datetime.fromisoformat` and DuckDB read alike: a date (year 0001 on),
# optionally a time to the second with a fraction of up to six digits; an offset only after a time.
PLAIN_DATE = (r"([1-9][0-9]{3}|0[1-9][0-9]{2}|00[1-9][0-9]|000[1-9])-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])")
PLAIN_CLOCK = r"[T ]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?"
PLAIN_OFFSET = r"(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])"
NAIVE_TIME = f"{PLAIN_DATE}({PLAIN_CLOCK})?"
AWARE_TIME = f"{PLAIN_DATE}{PLAIN_CLOCK}{PLAIN_OFFSET}"


def _matches(description: _Description | None, national: str) -> str:
    if description is None:
        return "false"
    pattern = f"regexp_full_match({national}, {sql_string(description.pattern.pattern)})"
    if not description.lengths:
        return pattern
    lengths = ", ".join(str(length) for length in sorted(description.lengths))
    return f"(length({national}) in ({lengths}) and {pattern})"


@functools.lru_cache(maxsize=8)
def valid_nanp_sql(national: str) -> str:
    """SQL: whether +1 and the national number `national` (an expression of digits, no
    leading zero) is valid, as `nanp_validity.is_valid_nanp` decides it."""
    cases = []
    for region in _regions():
        has_type = (f"({_matches(region.general, national)} and "
                    f"({' or '.join(_matches(d, national) for d in region.types) or 'false'}))")
        if region.leading_digits is not None:
            leading = sql_string("^(?:" + region.leading_digits.pattern + ")")
            cases.append(f"when regexp_matches({national}, {leading}) then {has_type}")
        else:
            cases.append(f"when {has_type} then true")
    return "(case " + " ".join(cases) + " else false end)"


def _plain_phone_sql(text: str) -> str:
    """SQL: the ten-digit national number of a plain spelling, as `normalize_phone` takes it
    before validating; NULL when the text is not plain or `normalize_phone` would hand it to
    the parser (another country code, not ten digits): those texts go to it."""
    digits = f"regexp_replace({text}, '[^0-9]', '', 'g')"
    return (f"(case when not (length({text}) <= 100 and regexp_full_match({text}, {sql_string(PLAIN_PHONE)})) then null "
            f"when starts_with({text}, '+') and not starts_with({digits}, '1') then null "
            f"when length({digits}) = 10 then {digits} "
            f"when length({digits}) = 11 and starts_with({digits}, '1') then substr({digits}, 2) end)")


def _read_the_rest(con, table: str, column: str, read, dtype) -> None:
    """Fill `column` of the map `table` for the texts SQL did not read (`plain` false), each
    distinct text once, by the Python reading `read` itself."""
    others = [row[0] for row in con.execute(f"select text from {table} where not plain").fetchall()]
    if not others:
        return
    frame = pd.DataFrame({"text": pd.Series(others, dtype=object),
                          "value": pd.Series([read(text) for text in others], dtype=dtype)})
    con.register("_gate_other_texts", frame)
    con.execute(f"update {table} set {column} = o.value from _gate_other_texts o "
                f"where {table}.text = o.text and not {table}.plain")
    con.unregister("_gate_other_texts")


def build_phone_map(con, texts: str, table: str) -> None:
    """Temp table `table(text, e164)`: every distinct text of the relation `texts` (SQL of
    ours with one column `text`) and its E.164 number, or NULL when it has none."""
    from .facts import normalize_phone

    national = "ltrim(national, '0')"
    con.execute(f"""
        create or replace temp table {table} as
        with spellings as (select distinct cast(text as varchar) as text from ({texts}) where text is not null),
        read as (select text, {_plain_phone_sql('text')} as national from spellings)
        select text, case when {valid_nanp_sql(national)} then '+1' || national end as e164, true as plain
        from read where national is not null
        union all
        select text, null, false from read where national is null
    """)
    _read_the_rest(con, table, "e164", normalize_phone, object)


def build_time_map(con, texts: str, table: str) -> None:
    """Temp table `table(text, instant)`: every distinct text of the relation `texts` and the
    instant it names (`facts.parse_time`), or NULL when it cannot be read."""
    from .facts import parse_time

    offset = f"regexp_full_match(text, {sql_string(AWARE_TIME)})"
    naive = f"regexp_full_match(text, {sql_string(NAIVE_TIME)})"
    con.execute(f"""
        create or replace temp table {table} as
        with spellings as (select distinct cast(text as varchar) as text from ({texts}) where text is not null),
        read as (
            select text,
                case when {offset} then try_cast(text as timestamptz)
                     when {naive} then try_cast(text as timestamp) at time zone 'UTC' end as instant,
                {offset} or {naive} as plain
            from spellings
        )
        select text, instant, plain and instant is not null as plain from read
    """)
    _read_the_rest(con, table, "instant", parse_time, "datetime64[us, UTC]")

