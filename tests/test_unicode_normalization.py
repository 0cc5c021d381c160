"""The Unicode normalization macros (dbt_project/macros/unicode.sql) against Python's unicodedata.

docs/compliance_defaults.md "Normalization": phone text, text bodies and enum values are read
after NFKC (full-width and other compatibility characters become ASCII), with every Unicode
decimal digit read as its digit, curly quotes straightened and every run of Unicode
whitespace made one space. DuckDB has no NFKC, so the macros carry a character map as SQL
literals for translate(); this file regenerates the map from unicodedata and fails when the
committed literals drift from it (a new Python, a hand edit), then runs the rendered macros
in DuckDB on the spellings issue 9 found.

To regenerate the literals after a deliberate change: `python tests/test_unicode_normalization.py`
prints them."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import duckdb
import pytest

from .conftest import open_db

MACRO_FILE = Path(__file__).resolve().parent.parent / "dbt_project" / "macros" / "unicode.sql"

# Mapped on top of NFKC (which leaves them alone): curly quotes to straight ones, Unicode
# dashes to '-'.
QUOTES = {**{c: "'" for c in "\u2018\u2019\u201a\u201b\u2032\u02bc"}, **{c: '"' for c in "\u201c\u201d\u201e\u2033"}}
DASHES = {c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58"}
# Whitespace: everything Python's str.isspace() calls whitespace, plus the invisible
# separators campaign tools leave in values (zero-width space, word joiner, byte-order mark,
# Mongolian vowel separator).
EXTRA_WHITESPACE = "\u200b\u2060\ufeff\u180e"


def fold_map() -> dict[str, str]:
    """Every non-ASCII character the macros map, to the ASCII character it becomes: a Unicode
    decimal digit to its digit; else a character whose NFKC form is one printable ASCII
    character (not a space) to that character; plus QUOTES and DASHES. Separators, controls,
    format characters and combining marks are left to the whitespace class (or alone)."""
    mapping = {}
    for code_point in range(0x80, 0x110000):
        char = chr(code_point)
        if unicodedata.category(char)[0] in "ZCM":
            continue
        digit = unicodedata.decimal(char, None)
        if digit is not None:
            mapping[char] = str(digit)
            continue
        nfkc = unicodedata.normalize("NFKC", char)
        if len(nfkc) == 1 and nfkc.isascii() and nfkc.isprintable() and nfkc != " ":
            mapping[char] = nfkc
    mapping.update(QUOTES)
    mapping.update(DASHES)
    return dict(sorted(mapping.items()))


def is_common(char: str) -> bool:
    """The characters real inboxes hold (Latin-1 and Latin Extended, general punctuation,
    letter-like and number forms, circled digits, the full-width block): a short first
    translate() handles them; the rest of the map runs only when one of them is there."""
    cp = ord(char)
    return 0x80 <= cp < 0x300 or 0x2000 <= cp < 0x2200 or 0x2460 <= cp < 0x2500 or 0xFF00 <= cp < 0xFFF0


def whitespace_chars() -> list[str]:
    return sorted({chr(cp) for cp in range(0x110000) if chr(cp).isspace()} | set(EXTRA_WHITESPACE))


def regex_class(chars: list[str]) -> str:
    """An RE2 character class body for the characters, as ranges of \\x{...} escapes."""
    points = sorted(ord(c) for c in chars)
    ranges, start, end = [], points[0], points[0]
    for cp in points[1:]:
        if cp == end + 1:
            end = cp
            continue
        ranges.append((start, end))
        start = end = cp
    ranges.append((start, end))
    return "".join(f"\\x{{{a:x}}}" if a == b else f"\\x{{{a:x}}}-\\x{{{b:x}}}" for a, b in ranges)


def sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def expected_literals() -> dict[str, str]:
    """The generated SQL text of each marked literal in the macro file."""
    mapping = fold_map()
    common = {k: v for k, v in mapping.items() if is_common(k)}
    rare = {k: v for k, v in mapping.items() if not is_common(k)}
    return {
        "common_from": sql_literal("".join(common)),
        "common_to": sql_literal("".join(common.values())),
        "rare_class": sql_literal("[" + regex_class(list(rare)) + "]"),
        "rare_from": sql_literal("".join(rare)),
        "rare_to": sql_literal("".join(rare.values())),
        "whitespace_class": sql_literal("[" + regex_class(whitespace_chars()) + "]+"),
    }


LITERAL = re.compile(r"\{#- generated: (\w+) -#\}\s*('(?:[^']|'')*')")


def committed_literals() -> dict[str, str]:
    return {name: literal for name, literal in LITERAL.findall(MACRO_FILE.read_text(encoding="utf-8"))}


# --------------------------------------------------------------------------------------
# The map cannot drift.


def test_committed_literals_are_the_generated_map():
    committed, expected = committed_literals(), expected_literals()
    assert set(committed) == set(expected), sorted(set(committed) ^ set(expected))
    for name, literal in expected.items():
        assert committed[name] == literal, f"{name} in {MACRO_FILE.name} differs from the map unicodedata gives"


def test_the_map_covers_what_issue_9_found():
    mapping = fold_map()
    for char, ascii_char in zip("０１２３４５６７８９＋（）－ＳＴＯＰｓｔｏｐ", "0123456789+()-STOPstop"):
        assert mapping[char] == ascii_char
    # Every Unicode decimal digit is read as its digit.
    digits = [chr(cp) for cp in range(0x80, 0x110000) if unicodedata.decimal(chr(cp), None) is not None]
    assert len(digits) > 600 and all(mapping[d] == str(unicodedata.decimal(d)) for d in digits)
    assert mapping["\u2019"] == "'" and mapping["\u201c"] == '"' and mapping["\u2013"] == "-"
    spaces = set(whitespace_chars())
    assert {"\t", "\n", "\r", "\u00a0", "\u2028", "\u2029", "\u3000", "\ufeff", "\u200b"} <= spaces
    assert all(chr(cp) in spaces for cp in range(0x2000, 0x200B))


def test_literals_are_safe_inside_jinja():
    # The macro file is a Jinja template: no literal may open a Jinja tag.
    for literal in expected_literals().values():
        assert not any(tag in literal for tag in ("{{", "{%", "{#")), literal[:80]


# --------------------------------------------------------------------------------------
# DuckDB does what the macros rely on.


def test_duckdb_translate_is_unicode_aware():
    con = duckdb.connect()
    assert con.execute("select translate(?, ?, ?)", ["\uff19\U0001d7cf\u0661x", "\uff19\U0001d7cf\u0661", "911"]
                       ).fetchone()[0] == "911x"
    # A character of `from` without a counterpart in `to` is deleted: the maps are equally long.
    assert con.execute("select translate('abc', 'abc', 'x')").fetchone()[0] == "x"
    # Why explicit classes: trim() leaves tabs, newlines, byte-order marks and zero-width
    # spaces, and RE2's \s is ASCII only.
    for char in ("\t", "\n", "\ufeff", "\u200b"):
        assert con.execute("select trim(?)", [char + "x"]).fetchone()[0] == char + "x"
    assert con.execute(r"select regexp_replace(chr(160), '\s', '_')").fetchone()[0] == "\u00a0"
    assert con.execute("select lower('ÉSTOP')").fetchone()[0] == "éstop"


# --------------------------------------------------------------------------------------
# The rendered macros.


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """The macros as dbt renders them, over a table `spellings(id, s)`, in a warehouse with
    the phone reference tables (phone_e164 reads them)."""
    from assets.phones import build_reference_tables

    from .test_phone_differential import compile_with_dbt

    work = tmp_path_factory.mktemp("unicode")
    warehouse = work / "warehouse.duckdb"
    with open_db(warehouse, read_only=False) as con:
        build_reference_tables(con)
    sql = compile_with_dbt(
        "select id, {{ norm_text('s') }} as text_value, {{ norm_enum('s') }} as enum_value, "
        "{{ fold_unicode('s') }} as folded, {{ phone_e164(fold_unicode('s')) }} as e164 from spellings",
        warehouse, work)
    con = open_db(warehouse, read_only=False)
    yield con, sql
    con.close()


def run_rendered(rendered, texts: list[str | None], column: str) -> list:
    con, sql = rendered
    con.execute("create or replace table spellings as select unnest($id) as id, cast(unnest($s) as varchar) as s",
                {"id": list(range(len(texts))), "s": texts})
    return [row[1] for row in con.execute(f"select id, {column} from ({sql}) order by id").fetchall()]


TEXTS = [
    ("\tSTOP", "stop"),
    ("\u00a0STOP", "stop"),
    ("STOP\u00a0", "stop"),
    ("don\u2019t text", "don't text"),
    ("\u201cstop\u201d", '"stop"'),
    ("\uff33\uff34\uff2f\uff30", "stop"),
    ("\U0001d412\U0001d413\U0001d40e\U0001d40f", "stop"),          # mathematical bold
    ("stop\r\n all", "stop all"),
    ("\ufeffstop", "stop"),
    ("stop\u200ball", "stop all"),
    ("a\u2028\u2029\u3000\u2009b", "a b"),
    ("  Stop   All  ", "stop all"),
    ("", ""),
    (None, None),
]


@pytest.mark.parametrize("text, expected", TEXTS)
def test_norm_text(rendered, text, expected):
    assert run_rendered(rendered, [text], "text_value") == [expected]


ENUMS = [
    ("Wrong-Number", "wrong_number"),
    ("WRONG NUMBER", "wrong_number"),
    (" wrong number ", "wrong_number"),
    ("wrong_number", "wrong_number"),
    ("Wrong Number\t", "wrong_number"),
    ("\uff37\uff52\uff4f\uff4e\uff47\u3000\uff2e\uff55\uff4d\uff42\uff45\uff52", "wrong_number"),
    ("No Data", "no_data"),
    ("__voip--fixed__", "voip_fixed"),
    ("Prerecorded Voice", "prerecorded_voice"),
    ("   ", None),
    ("", None),
    (None, None),
]


@pytest.mark.parametrize("text, expected", ENUMS)
def test_norm_enum(rendered, text, expected):
    assert run_rendered(rendered, [text], "enum_value") == [expected]


PHONES = [
    ("\uff19\uff11\uff19\uff18\uff12\uff18\uff10\uff11\uff14\uff12", "+19198280142"),        # full-width digits
    ("\uff0b\uff11\uff08\uff19\uff11\uff19\uff09\uff18\uff12\uff18\uff0d\uff10\uff11\uff14\uff12", "+19198280142"),
    ("\u0669\u0661\u0669 828 0142", "+19198280142"),                                       # Arabic-Indic
    ("\u096f\u0967\u096f-\u096e\u0968\u096e-\u0966\u0967\u096a\u0968", "+19198280142"),      # Devanagari
    ("\U0001d7d7\U0001d7cf\U0001d7d7 828 0142", "+19198280142"),                           # mathematical digits
    ("\u2009919\u2013828\u20130142\ufeff", "+19198280142"),
    ("919\u00a0828\u00a00142", "+19198280142"),
    ("919-828-0142", "+19198280142"),
    (None, None),
]


@pytest.mark.parametrize("text, expected", PHONES)
def test_phone_text_is_folded_before_parsing(rendered, text, expected):
    assert run_rendered(rendered, [text], "e164") == [expected]


def test_every_decimal_digit_folds(rendered):
    digits = [chr(cp) for cp in range(0x80, 0x110000) if unicodedata.decimal(chr(cp), None) is not None]
    folded = run_rendered(rendered, digits, "folded")
    assert folded == [str(unicodedata.decimal(d)) for d in digits]


def test_every_mapped_character_folds(rendered):
    mapping = fold_map()
    assert run_rendered(rendered, list(mapping), "folded") == list(mapping.values())
    spaces = whitespace_chars()
    assert run_rendered(rendered, [f"a{c}{c}b" for c in spaces], "folded") == ["a b"] * len(spaces)


if __name__ == "__main__":
    for name, literal in expected_literals().items():
        print(f"{{#- generated: {name} -#}}\n{literal}\n")
