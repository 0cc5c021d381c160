"""The dbt macro phone_e164, rendered by dbt and run in DuckDB, against phonenumbers itself.

Expected value for a text: phonenumbers.parse(text, "US"), is_valid_number, country code 1,
E.164 format; None when parse raises. Two deliberate product rules (documented in
dbt_project/macros/phones.sql) are applied on top: the national number must have ten digits
(phonenumbers also accepts Canada's seven-digit 310-XXXX numbers), and texts with
non-ASCII digits or ';phone-context=' are out of scope; the generator below produces
neither, and test_documented_differences pins what the macro does with them.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import duckdb
import phonenumbers
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assets.phones import build_reference_tables

from .conftest import open_db

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT = PROJECT_ROOT / "dbt_project"
MACRO_QUERY = (
    "select id, {{ phone_e164('s') }} as e164, {{ phone_area_code(phone_e164('s')) }} as area_code from spellings"
)
DIFFERENTIAL_CASES = 120_000


def expected_e164(text: str | None) -> str | None:
    if text is None:
        return None
    try:
        number = phonenumbers.parse(text, "US")
    except phonenumbers.NumberParseException:
        return None
    if number.country_code != 1 or not phonenumbers.is_valid_number(number):
        return None
    if len(phonenumbers.national_significant_number(number)) != 10:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# ---------------------------------------------------------------------------
# Rendering and running the real macro
# ---------------------------------------------------------------------------


def compile_with_dbt(query: str, warehouse: Path, work: Path) -> str:
    """The SQL dbt renders for an inline query, with the project's real macros."""
    dbt = Path(sys.executable).with_name("dbt")
    env = {**os.environ, "OUTREACH_WAREHOUSE": str(warehouse), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    result = subprocess.run(
        [
            str(dbt), "compile", "--quiet", "--no-use-colors",
            "--project-dir", str(DBT_PROJECT), "--profiles-dir", str(DBT_PROJECT),
            # Keep dbt's artifacts out of the shared working tree.
            "--target-path", str(work / "target"), "--log-path", str(work / "logs"),
            "--inline", query,
        ],
        env=env, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, f"dbt compile failed:\n{result.stdout}\n{result.stderr}"
    assert "select id" in result.stdout, result.stdout[:2000]
    return result.stdout.strip()


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("phones") / "warehouse.duckdb"
    with open_db(path, read_only=False) as con:
        build_reference_tables(con)
    return path


@pytest.fixture(scope="module")
def macro_sql(warehouse, tmp_path_factory) -> str:
    return compile_with_dbt(MACRO_QUERY, warehouse, tmp_path_factory.mktemp("dbt"))


@pytest.fixture(scope="module")
def con(warehouse, macro_sql):
    # Opened only after dbt has finished with the file: one writing process at a time.
    with open_db(warehouse, read_only=False) as connection:
        yield connection


def run_macro(
    con: duckdb.DuckDBPyConnection, sql: str, spellings: list[str | None], column: str = "e164"
) -> list[str | None]:
    con.execute(
        "create or replace table spellings as select unnest($id) as id, cast(unnest($s) as varchar) as s",
        {"id": list(range(len(spellings))), "s": spellings},
    )
    rows = con.execute(f"select id, {column} from ({sql}) order by id").fetchall()
    assert [row[0] for row in rows] == list(range(len(spellings)))
    return [row[1] for row in rows]


def assert_agreement(spellings: list[str | None], actual: list[str | None]) -> None:
    disagreements = [
        (text, expected, got)
        for text, got in zip(spellings, actual)
        if (expected := expected_e164(text)) != got
    ]
    shown = "\n".join(f"  {text!r}: phonenumbers {want!r}, macro {got!r}" for text, want, got in disagreements[:25])
    assert not disagreements, f"{len(disagreements)} of {len(spellings)} spellings disagree, e.g.:\n{shown}"


# ---------------------------------------------------------------------------
# Spelling generator
# ---------------------------------------------------------------------------

SEPARATORS = ["", "", "", " ", "-", ".", "/", " - ", "  ", "\u00a0", "\u2013", "\u2014", "\u2212",
              "\t", "_", ",", "*", "(", ")", "[", "]", "~", "\u3000", "\uff0d", "\u200b", "x", "|", "'"]
INTERNATIONAL_PREFIXES = ["", "", "", "", "1", "1 ", "1-", "1.", "+1", "+1 ", "+1-", "+1.", "+1 (", "1 (",
                          "(1) ", "+", "+ 1 ", "++1", "\uff0b1 ", "011 1 ", "0111", "+011 1 ", "011-1-", "11",
                          "1 1 ", "+1 1 ", "+11", "111", "1-1-1-", "1111", "011 11 ", "01111", "+01111",
                          "0110 1 ", "0", "00 1 ", "001", "+0", "+00", "+2", "+44 ", "011 44 ", "+1+", "1+"]
EXTENSIONS = [" x123", "x123", " X 45", " ext. 12", " ext 7", " ext:99", " extension 55", " Ext.12",
              " EXT 1", " extn 3", " #45", "#45", " # 45", " ~12", " int 3", " anexo 9", " \u0434\u043e\u0431 5",
              ";ext=99", ",123", ",,123", ";123", " - 503#", " 503#", ", 12", " x", " ext", " x1234567890",
              " ext. 123456789012345678901", "#", " # ", " x12#", "/x12", "\\x12", " / x 12", ";isub=12",
              " (cell)", " (home)", " cell", " mobile", " x12 x13", " ext 12 ext 13", " \uff5812",
              " \uff45\uff58\uff5412", " extensi\u00f3n 3", " extensio\u0301n 4", " x 1", " ext-9", ",,",
              " ;ext=1", " x12/x13", " or 919-555-0143", " / 919 555 0143", " and x"]
LEADING = ["", "", "", "", " ", "  ", "\t", "\n", "Tel: ", "tel:", "Phone: ", "Cell ", "(", "[", "#",
           "x", "Mobile: ", "call ", "abc ", "_", ";", "; ", "*", "'", "\"", "=", "\u00a0", "No. "]
TRAILING = ["", "", "", "", " ", "\t", "\n", ".", ",", ";", "!", " )", "_", "*", "-", "/", "\\", " \r\n",
            "\u00a0", "\u2026", " ok", "'", "\"", "#", "+", "x", "?"]
VANITY = ["1-800-FLOWERS", "1 800 GOT JUNK", "(919) 555-CALL", "919-JKL-0142", "1-800-CALL-ATT",
          "800-MY-APPLE", "1-888-NEW-HOME", "+1 212 MOVIES1", "919 PHONES", "CALL 919 555 0142",
          "919-555-0142 (Ask for Bob)", "AB 919 555 0142", "1-800-GO-FEDEX"]
FOREIGN = ["+44 20 7946 0958", "+52 55 1234 5678", "+33 1 23 45 67 89", "011 44 20 7946 0958",
           "+7 495 123-45-67", "+86 10 1234 5678", "+61 2 9374 4000", "+1 242 357 1234", "+49 30 123456",
           "00 44 20 7946 0958", "+1 876 606 0123", "+1 246 521 0123", "+1 246 521 2123"]
# Includes the non-ASCII letters Python's case-insensitive matching treats as ASCII ones.
GARBAGE_ALPHABET = ("0123456789" * 6 + "abcxXextEXTint" + "+-()./ #,;~_*" + "\u00a0\u2013\uff0b\uff58\u0301"
                    + "\t\n\r" + "\u0131\u0130\u017f\u212a\u00e9\u00df\u00b2")


class SpellingGenerator:
    """Seeded, varied spellings: mostly real numbers in every common format, plus invalid
    numbers, odd lengths, extensions, vanity letters, foreign numbers and garbage."""

    def __init__(self, seed: int, valid_prefixes: list[int], partial_prefixes: list[int]):
        self.rng = random.Random(seed)
        self.valid_prefixes = valid_prefixes
        self.partial_prefixes = partial_prefixes

    def ten_digits(self) -> str:
        roll = self.rng.random()
        if roll < 0.6:
            prefix = self.rng.choice(self.valid_prefixes)
        elif roll < 0.68:
            prefix = self.rng.choice(self.partial_prefixes)
        elif roll < 0.8:  # area code of a valid number, exchange anything (often invalid)
            prefix = self.rng.choice(self.valid_prefixes) // 1000 * 1000 + self.rng.randrange(1000)
        else:
            prefix = self.rng.randrange(1_000_000)
        return f"{prefix:06d}{self.rng.randrange(10_000):04d}"

    def any_digits(self) -> str:
        length = self.rng.choice([0, 1, 2, 3, 4, 6, 7, 7, 8, 9, 9, 10, 11, 11, 12, 12, 13, 14, 15, 17, 18, 20])
        digits = "".join(self.rng.choice("0123456789") for _ in range(length))
        if length in (11, 12) and self.rng.random() < 0.5:
            digits = "1" * (length - 10) + self.ten_digits()
        return digits

    def separate(self, groups: list[str]) -> str:
        text = groups[0]
        for group in groups[1:]:
            text += self.rng.choice(SEPARATORS) + group
        return text

    def formatted(self, digits: str) -> str:
        if len(digits) == 10:
            area, exchange, line = digits[:3], digits[3:6], digits[6:]
            style = self.rng.random()
            if style < 0.25:
                body = f"({area}) {exchange}-{line}"
            elif style < 0.35:
                body = f"({area}){exchange}-{line}"
            elif style < 0.5:
                body = digits
            else:
                body = self.separate([area, exchange, line])
        else:
            cut = sorted(self.rng.sample(range(len(digits) + 1), k=min(2, len(digits) + 1)))
            body = self.separate([digits[: cut[0]], digits[cut[0]: cut[-1]], digits[cut[-1]:]])
        return self.rng.choice(INTERNATIONAL_PREFIXES) + body

    def decorated(self, text: str) -> str:
        if self.rng.random() < 0.25:
            text += self.rng.choice(EXTENSIONS)
        if self.rng.random() < 0.3:
            text = self.rng.choice(LEADING) + text
        if self.rng.random() < 0.3:
            text += self.rng.choice(TRAILING)
        return text

    def mutated(self, text: str) -> str:
        chars = list(text)
        for _ in range(self.rng.randint(1, 3)):
            position = self.rng.randrange(len(chars) + 1)
            action = self.rng.random()
            if action < 0.4 or not chars:
                chars.insert(position, self.rng.choice(GARBAGE_ALPHABET))
            elif action < 0.7:
                del chars[min(position, len(chars) - 1)]
            else:
                chars[min(position, len(chars) - 1)] = self.rng.choice(GARBAGE_ALPHABET)
        return "".join(chars)

    def vanity(self) -> str:
        if self.rng.random() < 0.5:
            return self.rng.choice(VANITY)
        digits = list(self.ten_digits())
        keypad = {"2": "ABC", "3": "DEF", "4": "GHI", "5": "JKL", "6": "MNO", "7": "PQRS", "8": "TUV", "9": "WXYZ"}
        for index in self.rng.sample(range(3, 10), k=self.rng.randint(1, 7)):
            if digits[index] in keypad:
                letter = self.rng.choice(keypad[digits[index]])
                digits[index] = letter if self.rng.random() < 0.7 else letter.lower()
        return self.formatted("".join(digits))

    def garbage(self) -> str:
        return "".join(self.rng.choice(GARBAGE_ALPHABET) for _ in range(self.rng.randint(0, 30)))

    def spelling(self) -> str | None:
        roll = self.rng.random()
        if roll < 0.55:
            return self.decorated(self.formatted(self.ten_digits()))
        if roll < 0.67:
            return self.decorated(self.formatted(self.any_digits()))
        if roll < 0.82:
            return self.mutated(self.decorated(self.formatted(self.ten_digits())))
        if roll < 0.87:
            return self.decorated(self.vanity())
        if roll < 0.9:
            return self.decorated(self.rng.choice(FOREIGN))
        if roll < 0.96:
            return self.garbage()
        if roll < 0.98:  # around the 250-character limit of parse()
            padding = self.rng.choice([225, 236, 237, 238, 240, 260])
            return "x" * padding + " " + self.formatted(self.ten_digits())
        return self.rng.choice([None, "", " ", "\t", "N/A", "none", "0", "+", "+1", "1", "x", "#", "()"])

    def spellings(self, count: int) -> list[str | None]:
        return [self.spelling() for _ in range(count)]


@pytest.fixture(scope="module")
def spellings(con) -> list[str | None]:
    valid = [row[0] for row in con.execute("select prefix from ref.phone_prefixes").fetchall()]
    partial = [row[0] for row in con.execute(
        "select distinct national_number // 10000 from ref.phone_number_exceptions").fetchall()]
    generator = SpellingGenerator(seed=20261128, valid_prefixes=valid, partial_prefixes=partial)
    return generator.spellings(DIFFERENTIAL_CASES)


# ---------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------


def test_macro_agrees_with_phonenumbers_on_generated_spellings(con, macro_sql, spellings):
    actual = run_macro(con, macro_sql, spellings)
    valid = sum(value is not None for value in actual)
    # The mix must exercise both outcomes, or agreement would prove little.
    assert 0.2 * len(spellings) < valid < 0.8 * len(spellings)
    assert_agreement(spellings, actual)


@pytest.mark.parametrize(
    ("text", "e164"),
    [
        ("(919) 555-0142", "+19195550142"),
        ("(919) 828-0142", "+19198280142"),
        ("919.828.0142", "+19198280142"),
        ("919 828 0142", "+19198280142"),
        ("919-828-0142", "+19198280142"),
        ("919/828-0142", "+19198280142"),
        ("+1 919-828-0142", "+19198280142"),
        ("1-919-828-0142", "+19198280142"),
        ("19198280142", "+19198280142"),
        ("+19198280142", "+19198280142"),
        ("011 1 919 828 0142", "+19198280142"),
        ("  919-828-0142\t", "+19198280142"),
        ("919-828-0142 x123", "+19198280142"),
        ("919-828-0142 ext. 12", "+19198280142"),
        ("919-828-0142 #45", "+19198280142"),
        ("8280142", None),
        ("919828014", None),
        ("29198280142", None),
        ("119198280142", "+19198280142"),
        ("(119) 828-0142", None),
        ("(919) 128-0142", None),
        ("", None),
        (None, None),
        ("+44 20 7946 0958", None),  # valid, but not NANP
        ("310-1234", None),  # valid for phonenumbers (Canada 310-XXXX), not ten digits
        ("+1 246 521 0123", "+12465210123"),  # Barbados block valid only in part
        ("+1 246 521 2123", None),
        ("1-800-FLOWERS", "+18003569377"),  # three or more letters are keypad digits
    ],
)
def test_spellings_from_the_contract(con, macro_sql, text, e164):
    assert run_macro(con, macro_sql, [text]) == [e164]
    if text != "310-1234":
        assert expected_e164(text) == e164


def test_documented_differences(con, macro_sql):
    """Out-of-scope inputs come back NULL, whatever phonenumbers makes of them."""
    texts = ["\uff19\uff11\uff19\uff18\uff12\uff18\uff10\uff11\uff14\uff12",  # fullwidth digits
             "\u0669\u0661\u0669 828 0142",  # Arabic-Indic digits
             "tel:919-828-0142;phone-context=+1",
             "310-1234", "+1 310 1234"]
    assert run_macro(con, macro_sql, texts) == [None] * len(texts)
    assert expected_e164(texts[0]) == "+19198280142"
    assert phonenumbers.is_valid_number(phonenumbers.parse("310-1234", "US"))


def test_area_code_macro(con, macro_sql):
    texts = ["919-828-0142", "+1 (850) 201-0000", "nope", None]
    assert run_macro(con, macro_sql, texts, column="area_code") == ["919", "850", None, None]


# ---------------------------------------------------------------------------
# Property test: random digits with random separators
# ---------------------------------------------------------------------------

AREA_CODES = ["919", "212", "850", "415", "787", "416", "246", "876", "800", "900", "555", "311", "011", "999", "520"]


@st.composite
def separated_digits(draw) -> str:
    if draw(st.booleans()):
        digits = (draw(st.sampled_from(AREA_CODES)) + f"{draw(st.integers(0, 999)):03d}"
                  + f"{draw(st.integers(0, 9999)):04d}")
    else:
        digits = draw(st.text(alphabet="0123456789", max_size=16))
    digits = draw(st.sampled_from(["", "", "1", "11", "111", "011", "0111", "01111", "0"])) + digits
    text = draw(st.sampled_from(["", "", "+", "++", "\uff0b"]))
    for digit in digits:
        text += digit + draw(st.sampled_from(SEPARATORS[:14] + [""] * 6))
    return text


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(separated_digits(), min_size=1, max_size=50))
def test_property_random_digits_with_random_separators(con, macro_sql, texts):
    assert_agreement(texts, run_macro(con, macro_sql, texts))
