"""The gate is independent of the eligibility models (issue 9 items 9 and 12).

- Unit tests of `expectations/facts.py`: normalization, reply classification, ties, consent
  validity, the ledger union, C07, per-number exemptions and state rules, DNC, the cap,
  each on small DuckDB tables.
- Static: the gate reads no model but the list being checked.
- Pipeline runs (Dagster, dbt, DuckDB, Great Expectations) on a small handcrafted inbox:
  the normal run publishes every list (the gate agrees with eligibility); with one rule
  switched off in the eligibility SQL (`OUTREACH_TEST_DISABLE_RULE`, a test-only dbt var)
  the gate blocks the affected list, naming the expectation; a replay with an older as-of
  is BLOCKED and LATEST stays where it was.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb
import phonenumbers
import pyarrow
import pyarrow.parquet
import pytest
import yaml

from assets.ingest.layouts import NC_VOTER_COLUMNS
from assets.sql_text import ident
from expectations import facts as F
from expectations.suites import suite_for

from .conftest import AS_OF, open_db

ROOT = Path(__file__).resolve().parent.parent
ENTITY = "Friends of Jane Doe"
BEFORE = "2026-10-01T10:00:00-04:00"
AFTER = "2026-11-29T09:00:00-05:00"
FRESH_CHECK = "2026-11-25T12:00:00-05:00"
CONSENTED = "2026-03-10T12:00:00-05:00"
RND_QUERIED = "2026-11-20T12:00:00-05:00"
POLICY = yaml.safe_load((ROOT / "configuration" / "defaults" / "policy.yaml").read_text())


def number(index: int, area: str = "919") -> str:
    """A distinct valid NANP number, ten digits."""
    digits = f"{area}{200 + index % 100:03d}{4000 + index:04d}"
    assert phonenumbers.is_valid_number(phonenumbers.parse(digits, "US")), digits
    return digits


def e164(digits: str) -> str:
    return "+1" + digits


# --------------------------------------------------------------------------------------
# Normalization and classification.


def test_phone_normalization_handles_spellings_and_unicode_digits():
    digits = number(1)
    spellings = [digits, f"({digits[:3]}) {digits[3:6]}-{digits[6:]}", f"+1 {digits[:3]}.{digits[3:6]}.{digits[6:]}",
                 "1" + digits, "".join(chr(0xFF10 + int(d)) for d in digits),          # full-width
                 "".join(chr(0x0660 + int(d)) for d in digits)]                        # Arabic-Indic
    assert {F.normalize_phone(s) for s in spellings} == {e164(digits)}
    assert F.normalize_phone("919-123-4567") is None          # exchange 1xx is not valid
    assert F.normalize_phone("2345678") is None               # no area code: never guessed
    assert F.normalize_phone("+44 20 7946 0958") is None      # valid, but not NANP
    assert F.normalize_phone(None) is None and F.normalize_phone("") is None


def test_phone_fast_path_agrees_with_phonenumbers():
    """normalize_phone skips the parser for plain spellings; it must say what the parser says."""
    import random

    def slow(text):
        try:
            parsed = phonenumbers.parse(text, "US")
        except phonenumbers.NumberParseException:
            return None
        if parsed.country_code != 1 or not phonenumbers.is_valid_number(parsed):
            return None
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)

    rng = random.Random(9)
    shapes = ["{a}{b}{c}", "({a}) {b}-{c}", "{a}.{b}.{c}", "+1 {a}-{b}-{c}", "1{a}{b}{c}", "+1{a}{b}{c}",
              "1-{a}-{b}-{c}", "+44{a}{b}{c}", "+{a}{b}{c}", "{a}-{b}", "{b}-{c}", "11{a}{b}{c}", "({a}){b}{c} "]
    for _ in range(3000):
        digits = f"{rng.randrange(10 ** 10):010d}"
        a, b, c = digits[:3], digits[3:6], digits[6:]
        for shape in rng.sample(shapes, 3):
            text = shape.format(a=a, b=b, c=c)
            assert F.normalize_phone(text) == slow(text), text


def test_text_and_enum_normalization():
    assert F.normalize_text("  Don\u2019t\u00a0\tTEXT\nme ") == "don't text me"
    assert F.normalize_text("\uff33\uff34\uff2f\uff30") == "stop"                    # full-width letters
    for spelling in ("Wrong-Number", "WRONG NUMBER", "wrong_number", " wrong  number. "):
        assert F.normalize_enum(spelling) == "wrong_number"
    assert F.normalize_enum("No Data") == "no_data"
    assert F.normalize_line_type("VoIP Fixed") == "voip_fixed"
    assert F.normalize_line_type("cell") == "unknown"


def test_time_parsing():
    assert F.parse_time("2026-11-28T17:00:00Z") == datetime(2026, 11, 28, 17, tzinfo=timezone.utc)
    assert F.parse_time("2026-11-28T12:00:00-05:00") == datetime(2026, 11, 28, 17, tzinfo=timezone.utc)
    assert F.parse_time("2026-11-28 17:00:00") == datetime(2026, 11, 28, 17, tzinfo=timezone.utc)   # no offset: UTC
    assert F.parse_time("11/28/2026") == datetime(2026, 11, 28, tzinfo=timezone.utc)
    assert F.parse_time("2026-11-28") == datetime(2026, 11, 28, tzinfo=timezone.utc)
    for unreadable in ("soon", "2026-13-01", "", None, "28.11.2026"):
        assert F.parse_time(unreadable) is None
    assert str(F.parse_local_date("2026-11-27T22:00:00-05:00")) == "2026-11-27"


@pytest.mark.parametrize("body, expected", [
    ("STOP", "opt_out"), ("Stop.", "opt_out"), (" Stop all ", "opt_out"), ("stopall", "opt_out"),
    ("Unsubscribe me now", "opt_out"), ("Opt-Out", "opt_out"), ("END", "opt_out"),
    ("please remove me", "opt_out"), ("Sorry, wrong number", "opt_out"), ("Please don\u2019t text me again", "opt_out"),
    ("Can you take me off this list", "opt_out"), ("LOSE MY NUMBER", "opt_out"), ("\uff33\uff34\uff2f\uff30", "opt_out"),
    ("unsub", "review"), ("Unsubs", "review"),
    ('"STOP"', "opt_out"), ("\U0001F6D1 Stop", "opt_out"), ("*stop all*", "opt_out"), ("\u2018unsub\u2019", "review"),
    ("#1 fan", None), ("...", None), ("S T O P", "opt_out"), ("s.t.o.p.", "opt_out"), ("St op by later", None),
    ("Can you stop by the rally?", None), ("Optimistic about Jane!", None), ("Don't stop!", None),
    ("stopp", None), ("Ending soon?", None), ("yes i will vote", None), ("", None), (None, None),
    # What people write around the keywords (the default policy's phrases).
    ("Please stop texting me", "opt_out"), ("I said STOP", "opt_out"), ("do not text me", "opt_out"),
    ("I want to opt out", "opt_out"), ("Leave me alone", "opt_out"), ("Please unsubscribe me", "opt_out"),
    # Cyrillic and Greek look-alikes of Latin letters.
    ("\u0405TOP", "opt_out"), ("\u0405\u0422\u041e\u0420", "opt_out"), ("\u0395\u039dD", "opt_out"),
    ("\u0441\u0442\u043e\u043f", None),
    # Ending with a keyword, not negated: ambiguous, so review (suppressed until read).
    ("No thanks, stop", "review"), ("who is this? STOP", "review"), ("See you at the end", "review"),
    ("Please don\u2019t stop", None), ("I will never quit", None),
    # The same requests in French and Spanish.
    ("ARRET", "opt_out"), ("Arr\u00eat", "opt_out"), ("ALTO", "opt_out"), ("Parar por favor", "opt_out"),
    ("Por favor no me env\u00edes m\u00e1s mensajes", "opt_out"), ("Quiero darme de baja", "opt_out"),
    ("Numero equivocado", "opt_out"), ("Gracias, voy a votar", None),
])
def test_reply_classification(body, expected):
    assert F.classify_reply(body, POLICY["sms_opt_out"]) == expected


def test_one_classifier_over_many_replies_answers_as_each_alone():
    # opted_out_phones classifies every reply with one ReplyClassifier, which remembers each
    # distinct body: the answers must be those of a fresh classification, in any order.
    bodies = ["STOP", "unsub", "Stop.", None, "Can you stop by the rally?", "STOP", "", "unsub", "END", "yes"] * 3
    classify = F.ReplyClassifier(POLICY["sms_opt_out"])
    assert [classify(body) for body in bodies] == [F.classify_reply(body, POLICY["sms_opt_out"]) for body in bodies]
    assert [classify(body) for body in reversed(bodies)] == [F.classify_reply(body, POLICY["sms_opt_out"]) for body in reversed(bodies)]


def test_phones_in_quarantined_text():
    a, b = number(2), number(3)
    line = f'"{a[:3]}-{a[3:6]}-{a[6:]},2026-10-01T10:00:00-04:00,"unterminated,{b}'
    assert F.phones_in_text(line) == {e164(a), e164(b)}
    # Scientific notation that writes every digit holds its number; Excel's shortened one does not.
    assert F.phones_in_text(f"{a[0]}.{a[1:]}E+09") == {e164(a)}
    assert F.phones_in_text(f"1.{a}000000000e+10,x") == {e164(a)}
    assert F.phones_in_text(f"{a[0]}.{a[1:5]}E+09") == set()
    assert F.phones_in_text("no number 2026-10-01 12345") == set()
    # Separators no spelling uses still separate digit groups: the digits are the number.
    for spelled in (f"{a[:3]}_{a[3:6]}_{a[6:]}", f"{a[:3]}:{a[3:6]}:{a[6:]}", f'"{a[:3]},{a[3:6]},{a[6:]}"',
                    f"{a[:3]}|{a[3:6]}|{a[6:]}", f"+1_{a[:3]}_{a[3:6]}_{a[6:]}"):
        assert F.phones_in_text(spelled) == {e164(a)}, spelled
    assert F.phones_in_text(f"{a[:3]},{a[3:6]},{a[6:]},2026-11-01T10:00:00Z,all,web,") == {e164(a)}
    assert F.phones_in_text("2026-11-01T10:00:00Z, total 1,234,567,890") == set()
    # Letters typed for digits: O for zero, I or l for one, when seven or more are digits.
    for spelled in ("3O5-717-5597", "(3o5) 717 5597", "305.7I7.5597", "3O5-7l7-5597"):
        assert F.phones_in_text(spelled) == {"+13057175597"}, spelled
    assert F.phones_in_text("call OIl-OOO-lIOO or Hello lol-ool-Ollo") == set()


# --------------------------------------------------------------------------------------
# Facts from small DuckDB tables.

SOURCE_COLUMNS = {
    "opt_outs": ["phone", "received_at", "channel", "source", "reason"],
    "inbound_sms": ["phone", "received_at", "body", "is_from_contact"],
    "contact_history": ["phone", "channel", "attempted_at", "caller_entity", "disposition"],
    "consents": ["phone", "caller_entity", "scope", "consented_at", "method", "source", "disclosure_version", "revoked_at"],
    "rnd": ["phone", "consent_date", "result", "queried_at"],
    "line_types": ["phone", "line_type", "checked_at", "source"],
    "quarantine": ["source", "_file", "_line", "reason", "raw_line"],
    "volunteers": ["phone", "other_phones", "postal_code", "sms_opt_in_status"],
}


def warehouse(rows: dict[str, list[dict]], ledger: dict[str, list[dict]] | None = None):
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    for schema, tables in (("raw", rows), ("ledger", ledger)):
        if tables is None:
            continue
        con.execute(f"create schema {schema}")
        for table, columns in SOURCE_COLUMNS.items():
            if schema == "ledger" and table not in tables:
                continue
            name = F.LEDGER_NAMES.get(table, table) if schema == "ledger" else table
            # Identifiers are this module's constants, never outside text.
            column_list = ", ".join(f"{column} varchar" for column in columns)
            con.execute(f"create table {schema}.{name} ({column_list})")
            for row in tables.get(table, []):
                con.execute(f"insert into {schema}.{name} ({', '.join(row)}) values ({', '.join('?' for _ in row)})",
                            list(row.values()))
    return con


INPUTS = F.FactInputs(as_of=AS_OF, caller_entity=ENTITY, policy=POLICY)


def facts_of(con, inputs: F.FactInputs = INPUTS) -> dict[str, dict]:
    frame = F.phone_facts(con, inputs)
    return {row["phone_e164"]: row for row in frame.to_dict("records")}


def test_opt_outs_in_force_at_as_of():
    n = [number(i) for i in range(10, 20)] + [number(i) for i in range(60, 64)]
    con = warehouse({
        "opt_outs": [
            {"phone": n[0], "received_at": BEFORE, "channel": "sms"},
            {"phone": n[1], "received_at": "2026-11-28T17:00:00Z", "channel": "call"},      # exactly as-of
            {"phone": n[2], "received_at": "2026-11-28T12:00:01-05:00", "channel": "all"},  # a second after
            {"phone": n[3], "received_at": "whenever", "channel": "fax"},                    # unreadable time counts
        ],
        "inbound_sms": [
            {"phone": n[4], "received_at": BEFORE, "body": "STOP"},
            {"phone": n[5], "received_at": BEFORE, "body": "unsub"},                       # review: suppressed
            {"phone": n[6], "received_at": BEFORE, "body": "Can you stop by?"},
            {"phone": n[7], "received_at": AFTER, "body": "stop"},
        ],
        "volunteers": [{"phone": n[8], "postal_code": "27601", "sms_opt_in_status": "OPT_OUT"},
                       {"phone": n[9], "postal_code": "27601", "sms_opt_in_status": "OPT_IN"},
                       # Any status other than an opt-in or a word for no value may be an opt-out.
                       {"phone": n[10], "postal_code": "27601", "sms_opt_in_status": "Opted Out"},
                       {"phone": n[11], "postal_code": "27601", "sms_opt_in_status": "STOP"},
                       {"phone": n[12], "postal_code": "27601", "sms_opt_in_status": "opted-in"},
                       {"phone": n[13], "postal_code": "27601", "sms_opt_in_status": "Unspecified"}],
    })
    opted = set(F.opted_out_phones(con, INPUTS))
    assert opted == {e164(n[i]) for i in (0, 1, 3, 4, 5, 8, 10, 11)}


def test_a_mobilize_opt_out_suppresses_every_number_the_person_gave():
    """A person's OPT_OUT is theirs: their other numbers (one a line, however written) are
    suppressed too, in the raw rows and the ledger's; one that does not read gives the numbers
    it holds (C07). An OPT_IN suppresses none of them."""
    n = [number(i) for i in range(64, 72)]
    con = warehouse(
        {"volunteers": [
            {"phone": n[0], "other_phones": f"({n[1][:3]}) {n[1][3:6]}-{n[1][6:]}\n+1 {n[2]}",
             "sms_opt_in_status": "OPT_OUT"},
            {"phone": n[3], "other_phones": n[4], "sms_opt_in_status": "OPT_IN"},
            {"phone": None, "other_phones": f"{n[5]} (work)", "sms_opt_in_status": "Opted Out"}]},
        ledger={"volunteers": [{"phone": n[6], "other_phones": n[7], "sms_opt_in_status": "OPT_OUT"}]},
    )
    assert set(F.opted_out_phones(con, INPUTS)) == {e164(n[i]) for i in (0, 1, 2, 5, 6, 7)}


def test_survey_answers_in_a_dialers_words_suppress_the_row_and_the_voters_number():
    """A survey or ID answer asking not to be contacted, or naming a wrong number, suppresses the
    number the row gives and the NC voter record's its ncid names; an answer after as-of waits,
    one dated after now (a mistyped year) or without a readable time counts; other answers
    suppress nothing."""
    n = [number(i) for i in range(72, 82)]
    con = warehouse({})
    con.execute("create table raw.nc_voters (ncid varchar, full_phone_number varchar)")
    con.execute("insert into raw.nc_voters values ('AA1', ?), (' AA2 ', ?), ('AA3', ?), ('AA4', ?)",
                [f"({n[0][:3]}) {n[0][3:6]}-{n[0][6:]}", n[1], n[2], n[3]])
    con.execute("create table raw.surveys (ncid varchar, phone varchar, question varchar, response varchar, "
                "collected_at varchar)")
    con.execute("insert into raw.surveys values "
                "('AA1', null, 'contact', 'Do Not Call', ?), ('AA2', null, 'id', 'WRONG #', 'unknown'), "
                "('AA3', null, 'id', 'Strongly support', ?), ('AA4', null, 'id', 'Remove me', ?), "
                "(null, ?, 'id', 'Not this person', '2099-11-01T12:00:00Z'), (null, ?, 'id', 'do_not_call', ?), "
                "(null, ?, 'id', 'Undecided', ?), (null, ?, 'id', 'Remove me', ?)",
                [BEFORE, BEFORE, AFTER, n[4], n[5], BEFORE, n[6], BEFORE, f"{n[8]} (cell)", AFTER])
    # A phone field that does not read holds its numbers whatever the date (C07).
    assert F.survey_answer_phones(con, AS_OF, F._Phones()) == {e164(n[i]) for i in (0, 1, 4, 5, 8)}
    # The ledger keeps an answer after its file left the inbox.
    con.execute("create schema ledger")
    con.execute("create table ledger.survey_answers (ncid varchar, phone varchar, question varchar, "
                f"response varchar, collected_at varchar, {F.FIRST_SEEN} timestamptz)")
    con.execute("insert into ledger.survey_answers values (null, ?, 'id', 'Opted out', ?, ?)",
                [n[7], BEFORE, AS_OF])
    assert F.survey_answer_phones(con, AS_OF, F._Phones()) == {e164(n[i]) for i in (0, 1, 4, 5, 7, 8)}
    assert {e164(n[i]) for i in (0, 1, 4, 5, 7, 8)} <= set(F.opted_out_phones(con, INPUTS))


def test_times_later_than_the_first_read_count_as_unreadable():
    """A suppression cannot have happened after its row was first read (a mistyped year): in
    force like an unreadable time. A raw row is being read now; a ledger row was read at its
    `_first_seen_at`. A time after as-of but before the first read still waits."""
    n = [number(i) for i in range(41, 50)]
    typo = "2099-11-29T09:00:00-05:00"
    con = warehouse({
        "opt_outs": [{"phone": n[0], "received_at": typo, "channel": "all"},
                     {"phone": n[1], "received_at": AFTER, "channel": "all"}],
        "inbound_sms": [{"phone": n[2], "received_at": typo, "body": "STOP"}],
        "contact_history": [
            {"phone": n[3], "channel": "manual_call", "attempted_at": typo, "caller_entity": ENTITY,
             "disposition": "wrong_number"},
            {"phone": n[4], "channel": "manual_call", "attempted_at": typo, "caller_entity": ENTITY,
             "disposition": "Do Not Call"}],
    }, ledger={"opt_outs": [{"phone": n[6], "received_at": AFTER, "channel": "all"},
                            {"phone": n[7], "received_at": AFTER, "channel": "all"}]})
    con.execute(f"alter table ledger.opt_outs add column {F.FIRST_SEEN} timestamptz")
    con.execute(f"update ledger.opt_outs set {F.FIRST_SEEN} = case when phone = ? then ? else ? end",
                [n[6], AS_OF - timedelta(days=1), AS_OF + timedelta(days=2)])
    assert set(F.opted_out_phones(con, INPUTS)) == {e164(n[0]), e164(n[2]), e164(n[6])}
    facts = facts_of(con)
    assert {p for p, f in facts.items() if f["wrong_number"]} == {e164(n[3])}
    assert {p for p, f in facts.items() if f["opted_out"]} >= {e164(n[0]), e164(n[2]), e164(n[4]), e164(n[6])}


def test_ledger_rows_count_and_c07_quarantined_lines_suppress():
    n = [number(i) for i in range(20, 24)]
    con = warehouse(
        {"quarantine": [
            {"source": "opt_outs", "_file": "opt_outs/a.csv", "_line": "3", "reason": "x", "raw_line": f'{n[0]},"2026-1'},
            {"source": "contact_history", "_file": "h.csv", "_line": "9", "reason": "x", "raw_line": f"({n[1][:3]}) {n[1][3:6]}-{n[1][6:]}"},
            {"source": "voters", "_file": "v.txt", "_line": "2", "reason": "x", "raw_line": n[2]},   # not a C07 source
        ]},
        ledger={"opt_outs": [{"phone": n[3], "received_at": BEFORE, "channel": "all"}]},
    )
    assert set(F.opted_out_phones(con, INPUTS)) == {e164(n[0]), e164(n[1]), e164(n[3])}


def test_a_phone_field_that_does_not_read_as_a_number_suppresses_the_numbers_it_holds():
    """C07 for loaded lines: a spreadsheet's float, a labelled number, a full-width spelling that
    does read, and the campaign's own outbound text, which is no reply."""
    n = [number(i) for i in range(24, 30)]
    con = warehouse(
        {"opt_outs": [{"phone": f"{n[0]}.0", "received_at": BEFORE, "channel": "all"},
                      {"phone": n[1], "received_at": BEFORE, "channel": "all"}],
         "inbound_sms": [{"phone": f"{n[2][:3]}-{n[2][3:6]}-{n[2][6:]} (cell)", "received_at": BEFORE, "body": "thanks"},
                         {"phone": f"{n[3]}.0", "received_at": BEFORE, "body": "Reply STOP to quit",
                          "is_from_contact": "false"}],
         "contact_history": [{"phone": f"{n[4]}.0", "channel": "manual_call", "attempted_at": BEFORE,
                              "caller_entity": ENTITY, "disposition": "answered"}]},
        ledger={"volunteers": [{"phone": f"{n[5]}.00", "sms_opt_in_status": "OPT_IN"}]},
    )
    assert set(F.opted_out_phones(con, INPUTS)) == {e164(n[i]) for i in (0, 1, 2, 4, 5)}
    # Only the unusual spellings are fetched; the plain one reads as itself.
    assert F.unread_phone_fields(con, "opt_outs") == [f"{n[0]}.0"]



def test_a_phone_field_holding_a_second_number_suppresses_it():
    """A field that reads as its first number and the rest as an extension ("a;b", "a,,b",
    "a / xb") holds the other number too (C07), in every family and in a Mobilize person's
    other numbers and a survey answer's field; a real extension adds nothing."""
    n = [number(i) for i in range(82, 94)]
    con = warehouse(
        {"opt_outs": [{"phone": f"{n[0]};{n[1]}", "received_at": BEFORE, "channel": "all"},
                      {"phone": f"+1 {n[2][:3]} {n[2][3:6]} {n[2][6:]} ext. 555", "received_at": BEFORE,
                       "channel": "all"}],
         "inbound_sms": [{"phone": f"{n[3]},,{n[4]}", "received_at": BEFORE, "body": "thanks"}],
         "contact_history": [{"phone": f"{n[5][:3]}-{n[5][3:6]}-{n[5][6:]} / x{n[6]}", "channel": "manual_call",
                              "attempted_at": BEFORE, "caller_entity": ENTITY, "disposition": "answered"}]},
        ledger={"volunteers": [{"phone": n[7], "other_phones": f"{n[8]};{n[9]}", "sms_opt_in_status": "OPT_OUT"}]},
    )
    con.execute("create table raw.surveys (ncid varchar, phone varchar, question varchar, response varchar, "
                "collected_at varchar)")
    con.execute("insert into raw.surveys values (null, ?, 'contact', 'Do Not Call', ?), "
                "(null, ?, 'id', 'Strongly support', ?)", [f"{n[10]};{n[11]}", BEFORE, f"{n[10]};{n[11]}", BEFORE])
    opted = set(F.opted_out_phones(con, INPUTS))
    assert opted >= {e164(n[i]) for i in (0, 1, 2, 4, 6, 7, 8, 9, 10, 11)}
    # The contact history's first number is its row's (an answered call): not an opt-out.
    assert e164(n[5]) not in opted and e164(n[3]) not in opted
    assert F.unread_numbers_of_field(f"+1 {n[2]} ext. 555") == set()


def test_wrong_numbers_and_prerecorded_calls():
    n = [number(i) for i in range(30, 41)] + [number(50)]

    def call(phone, days, entity=ENTITY, channel="Prerecorded Call Landline", disposition="answered"):
        return {"phone": phone, "channel": channel, "attempted_at": (AS_OF - timedelta(days=days, hours=1)).isoformat(),
                "caller_entity": entity, "disposition": disposition}

    con = warehouse({"contact_history": [
        {"phone": n[0], "channel": "manual_call", "attempted_at": BEFORE, "caller_entity": "Someone Else",
         "disposition": "Wrong-Number"},
        {"phone": n[1], "channel": "manual_call", "attempted_at": AFTER, "caller_entity": ENTITY, "disposition": "wrong_number"},
        {"phone": n[2], "channel": "manual_call", "attempted_at": "", "caller_entity": ENTITY, "disposition": "WRONG NUMBER"},
        call(n[3], 5), call(n[3], 12), call(n[3], 29), call(n[3], 40),
        call(n[4], 5, entity=""), call(n[4], 6, entity="  friends of  JANE doe "), call(n[4], 7, entity="Other PAC"),
        call(n[5], 5, channel="manual_call"),
        # Dialers' own words: the wrong person (R28); requests not to be called (R09), one after as-of.
        {"phone": n[6], "channel": "manual_call", "attempted_at": BEFORE, "caller_entity": ENTITY, "disposition": "Not this person"},
        {"phone": n[7], "channel": "manual_call", "attempted_at": BEFORE, "caller_entity": ENTITY, "disposition": "Do Not Call"},
        {"phone": n[8], "channel": "p2p_sms", "attempted_at": "", "caller_entity": ENTITY, "disposition": "Opted Out"},
        {"phone": n[9], "channel": "manual_call", "attempted_at": AFTER, "caller_entity": ENTITY, "disposition": "DNC"},
        {"phone": n[10], "channel": "manual_call", "attempted_at": BEFORE, "caller_entity": ENTITY,
         "disposition": "called at the wrong time"},
        # R13 in dialers' words: robocalls, a blank channel, the entity punctuated; not a phone bank.
        call(n[11], 5, channel="Robocall"), call(n[11], 6, channel="", entity="Friends of Jane Doe."),
        call(n[11], 7, channel="IVR"), call(n[11], 8, channel="Phone Bank"), call(n[11], 9, channel="SMS"),
    ]})
    facts = facts_of(con)
    assert {p for p, f in facts.items() if f["wrong_number"]} == {e164(n[0]), e164(n[2]), e164(n[6])}
    assert {p for p, f in facts.items() if f["opted_out"]} == {e164(n[7]), e164(n[8])}
    assert facts[e164(n[3])]["prerecorded_calls"] == 3
    assert facts[e164(n[4])]["prerecorded_calls"] == 2
    assert e164(n[5]) not in facts                      # a manual call is no prerecorded call
    assert facts[e164(n[11])]["prerecorded_calls"] == 3


def test_line_type_latest_answer_and_ties():
    n = [number(i) for i in range(40, 46)]
    con = warehouse({"line_types": [
        {"phone": n[0], "line_type": "landline", "checked_at": "2026-11-01T12:00:00-05:00"},
        {"phone": n[0], "line_type": "wireless", "checked_at": FRESH_CHECK},                # newest wins
        {"phone": n[1], "line_type": "landline", "checked_at": FRESH_CHECK},
        {"phone": n[1], "line_type": "Wireless", "checked_at": "2026-11-25T17:00:00Z"},      # same instant: tie
        {"phone": n[2], "line_type": "landline", "checked_at": FRESH_CHECK},
        {"phone": n[2], "line_type": "wireless", "checked_at": AFTER},                      # after as-of: not yet
        {"phone": n[3], "line_type": "VOIP-NONFIXED", "checked_at": FRESH_CHECK},
        {"phone": n[4], "line_type": "landline", "checked_at": "last week"},                # unreadable: unknown now
        {"phone": n[5], "line_type": "landline", "checked_at": FRESH_CHECK},
        {"phone": n[5], "line_type": "wireless", "checked_at": "2099-11-25T17:00:00Z"},     # after its first read
    ]})
    facts = facts_of(con)
    assert list(facts[e164(n[0])]["line_types"]) == ["wireless"]
    assert list(facts[e164(n[1])]["line_types"]) == ["landline", "wireless"]
    assert list(facts[e164(n[2])]["line_types"]) == ["landline"]
    assert list(facts[e164(n[3])]["line_types"]) == ["wireless"]
    # It may be the newest answer: `unknown` (counted as wireless) at as-of, whatever it says (C07).
    assert list(facts[e164(n[4])]["line_types"]) == ["wireless"]
    # A look-up made after its row was first read cannot be right: unknown at as-of, like n[4].
    assert list(facts[e164(n[5])]["line_types"]) == ["wireless"]


CONSENT_CASES = {
    # name: (consent overrides, rnd answers [(consent_date, result, queried_at)], history, valid for autodialed_voice)
    "valid": ({}, [("2026-03-10", "no", RND_QUERIED)], [], True),
    "entity_case_and_spacing": ({"caller_entity": "  FRIENDS of   jane DOE "}, [("2026-03-10", "no", RND_QUERIED)], [], True),
    "other_entity": ({"caller_entity": "Friends of John Roe"}, [("2026-03-10", "no", RND_QUERIED)], [], False),
    "scope_all": ({"scope": "ALL"}, [("2026-03-10", "no", RND_QUERIED)], [], True),
    "scope_sms": ({"scope": "sms"}, [("2026-03-10", "no", RND_QUERIED)], [], False),
    "given_after_as_of": ({"consented_at": "2026-11-28T13:00:00-05:00"}, [("2026-11-28", "no", "2026-11-28T11:00:00-05:00")], [], False),
    "given_exactly_as_of": ({"consented_at": "2026-11-28T12:00:00-05:00"}, [("2026-11-28", "no", "2026-11-28T11:00:00-05:00")], [], True),
    "unreadable_consent_date": ({"consented_at": "spring"}, [("2026-03-10", "no", RND_QUERIED)], [], False),
    "revoked_before_as_of": ({"revoked_at": "2026-11-01T12:00:00-05:00"}, [("2026-03-10", "no", RND_QUERIED)], [], False),
    "revoked_exactly_as_of": ({"revoked_at": "2026-11-28T17:00:00Z"}, [("2026-03-10", "no", RND_QUERIED)], [], False),
    "revoked_before_consent": ({"revoked_at": "2026-02-01T12:00:00-05:00"}, [("2026-03-10", "no", RND_QUERIED)], [], False),
    "revoked_unreadable": ({"revoked_at": "yes"}, [("2026-03-10", "no", RND_QUERIED)], [], False),
    "revoked_after_as_of": ({"revoked_at": AFTER}, [("2026-03-10", "no", RND_QUERIED)], [], True),
    "rnd_yes": ({}, [("2026-03-10", "yes", RND_QUERIED)], [], False),
    "rnd_no_data": ({}, [("2026-03-10", "No Data", RND_QUERIED)], [], False),
    "rnd_missing": ({}, [], [], False),
    "rnd_other_date": ({}, [("2026-03-11", "no", RND_QUERIED)], [], False),
    "rnd_yes_then_no": ({}, [("2026-03-10", "yes", "2026-11-01T12:00:00-05:00"), ("2026-03-10", "no", RND_QUERIED)], [], True),
    "rnd_no_then_yes": ({}, [("2026-03-10", "no", "2026-11-01T12:00:00-05:00"), ("2026-03-10", "yes", RND_QUERIED)], [], False),
    "rnd_yes_after_as_of": ({}, [("2026-03-10", "no", RND_QUERIED), ("2026-03-10", "yes", AFTER)], [], True),
    "rnd_tie_not_no_wins": ({}, [("2026-03-10", "no", RND_QUERIED), ("2026-03-10", "yes", "2026-11-20T17:00:00Z")], [], False),
    "rnd_too_old_at_expiry": ({}, [("2026-03-10", "no", "2026-10-20T12:00:00-04:00")], [], False),   # R16
    "before_rnd_cutoff": ({"consented_at": "2021-01-26T12:00:00-05:00"}, [("2021-01-26", "no", RND_QUERIED)], [], False),
    "on_rnd_cutoff": ({"consented_at": "2021-01-27T12:00:00-05:00"}, [("2021-01-27", "no", RND_QUERIED)], [], True),
    "wrong_number_after_consent": ({}, [("2026-03-10", "no", RND_QUERIED)], ["2026-06-01T12:00:00-04:00"], False),
    "wrong_number_after_as_of": ({}, [("2026-03-10", "no", RND_QUERIED)], [AFTER], True),
    # Dated after the row was first read (here: now): cannot be right, so in force.
    "revoked_dated_after_first_read": ({"revoked_at": "2099-11-29T09:00:00-05:00"},
                                       [("2026-03-10", "no", RND_QUERIED)], [], False),
    "wrong_number_dated_after_first_read": ({}, [("2026-03-10", "no", RND_QUERIED)], ["2099-11-29T09:00:00-05:00"],
                                            False),
    "rnd_yes_dated_after_first_read": ({}, [("2026-03-10", "no", RND_QUERIED),
                                            ("2026-03-10", "yes", "2099-11-29T09:00:00-05:00")], [], False),
    "rnd_yes_for_a_consent_date_after_first_read": ({}, [("2026-03-10", "no", RND_QUERIED),
                                                         ("2099-03-10", "yes", RND_QUERIED)], [], False),
    "rnd_no_dated_after_first_read": ({}, [("2026-03-10", "no", "2099-11-29T09:00:00-05:00")], [], False),
    # With a revocation on a row of its own (REVOCATION_ROWS).
    "revoked_on_a_row_of_its_own": ({}, [("2026-03-10", "no", RND_QUERIED)], [], False),
    "revocation_without_scope": ({}, [("2026-03-10", "no", RND_QUERIED)], [], False),
    "revocation_with_an_unread_scope": ({}, [("2026-03-10", "no", RND_QUERIED)], [], False),
    "revocation_without_entity": ({}, [("2026-03-10", "no", RND_QUERIED)], [], False),
    "revocation_entity_punctuated": ({}, [("2026-03-10", "no", RND_QUERIED)], [], False),
    "revocation_without_a_time": ({}, [("2026-03-10", "no", RND_QUERIED)], [], False),
    "revocation_before_the_consent": ({}, [("2026-03-10", "no", RND_QUERIED)], [], True),
    "revocation_by_another_entity": ({}, [("2026-03-10", "no", RND_QUERIED)], [], True),
    "revocation_of_another_scope": ({}, [("2026-03-10", "no", RND_QUERIED)], [], True),
}


# A revocation written on a row of its own (no consent time): it names no scope, or one the gate
# cannot read, and covers all; no entity, or ours punctuated, and counts; no readable time, and
# counts at as-of. One dated before the consent, by another entity or of another scope does not.
_REVOCATION = {"caller_entity": ENTITY, "scope": "autodialed_voice", "consented_at": "", "revoked_at": BEFORE}
REVOCATION_ROWS = {
    "revoked_on_a_row_of_its_own": {},
    "revocation_without_scope": {"scope": ""},
    "revocation_with_an_unread_scope": {"scope": "SMS/Voice"},
    "revocation_without_entity": {"caller_entity": ""},
    "revocation_entity_punctuated": {"caller_entity": "Friends of Jane Doe."},
    "revocation_without_a_time": {"revoked_at": "last spring"},
    "revocation_before_the_consent": {"revoked_at": "2026-01-05T12:00:00-05:00"},
    "revocation_by_another_entity": {"caller_entity": "Friends of John Roe"},
    "revocation_of_another_scope": {"scope": "sms"},
}


def test_consent_validity_cases():
    consents, rnd, history, phones = [], [], [], {}
    for index, (name, (overrides, answers, wrong_numbers, _valid)) in enumerate(CONSENT_CASES.items()):
        digits = number(100 + index)
        phones[name] = e164(digits)
        consents.append({"phone": digits, "caller_entity": ENTITY, "scope": "autodialed_voice",
                         "consented_at": CONSENTED, "revoked_at": "", **overrides})
        if name in REVOCATION_ROWS:
            consents.append({"phone": digits, **_REVOCATION, **REVOCATION_ROWS[name]})
        rnd += [{"phone": f"{digits[:3]}.{digits[3:6]}.{digits[6:]}", "consent_date": d, "result": r, "queried_at": q}
                for d, r, q in answers]
        history += [{"phone": digits, "channel": "manual_call", "attempted_at": t, "caller_entity": ENTITY,
                     "disposition": "wrong_number"} for t in wrong_numbers]
    con = warehouse({"consents": consents, "rnd": rnd, "contact_history": history})
    con.execute("create table main.list_members as select 'dialer' as list_name, phone_e164, "
                "'c' || row_number() over () as contact_id, 'America/New_York' as timezone, "
                "'09:00' as window_start_local from (select unnest($p) as phone_e164)", {"p": list(phones.values())})
    _empty_record_tables(con)
    F.ensure_facts(con, INPUTS, run_id="consents", published=Path("/nonexistent"), run_lists=["dialer"])
    frame = F.gate_frame(con, F.ListContext("dialer", "predictive_dialer_call", "political", False, ()), INPUTS)
    consented = dict(zip(frame["phone_e164"], frame["has_valid_consent"]))
    outcome = {name: bool(consented[phone]) for name, phone in phones.items()}
    assert outcome == {name: case[3] for name, case in CONSENT_CASES.items()}
    # No valid consent means a wireless-by-default number on the dialer lacks what it needs.
    assert list(frame["lacks_required_consent"]) == [not v for v in frame["has_valid_consent"]]



def test_a_consent_revocation_is_an_opt_out_until_a_newer_consent():
    """R09: a revocation for the caller entity (naming it however punctuated, or none), whatever
    its scope, while no newer consent for the entity follows it (a tie goes to the revocation);
    an unreadable consents line may be one (C07). Another entity's, or one after as-of, is none."""
    n = [number(i) for i in range(94, 102)]
    row = {"caller_entity": ENTITY, "scope": "sms", "consented_at": CONSENTED, "revoked_at": ""}
    con = warehouse({
        "consents": [
            {**row, "phone": n[0], "revoked_at": BEFORE},
            {**row, "phone": n[1], "revoked_at": "2026-04-01T12:00:00-04:00"},
            {**row, "phone": n[1], "scope": "autodialed_voice", "consented_at": "2026-05-01T12:00:00-04:00"},
            {**row, "phone": n[2], "caller_entity": "", "scope": "", "consented_at": "", "revoked_at": "some day"},
            {**row, "phone": n[3], "caller_entity": "Friends of John Roe", "consented_at": "", "revoked_at": BEFORE},
            {**row, "phone": n[4], "revoked_at": AFTER},
            {**row, "phone": n[5], "scope": "all"},
            {**row, "phone": n[5], "caller_entity": "Friends of Jane Doe.", "consented_at": "", "revoked_at": CONSENTED},
            {**row, "phone": n[6]}],
        "quarantine": [{"source": "consents", "_file": "c.csv", "_line": "9", "reason": "x", "raw_line": n[7]}]})
    assert F.revoked_consent_phones(INPUTS, F._Phones(), *F.consent_inputs(con)) == {e164(n[i]) for i in (0, 2, 5, 7)}
    assert {e164(n[i]) for i in (0, 2, 5, 7)} <= set(facts_of(con))
    assert {p for p, f in facts_of(con).items() if f["opted_out"]} == {e164(n[i]) for i in (0, 2, 5, 7)}

def _empty_record_tables(con):
    con.execute("create table raw.nc_voters (full_phone_number varchar, confidential_ind varchar, state_cd varchar)")
    con.execute("create table raw.fl_voters (daytime_area_code varchar, daytime_phone_number varchar, "
                "public_records_exemption varchar, residence_state varchar)")
    con.execute("create table raw.donations (donor_phone varchar, donor_state varchar)")
    con.execute("create table raw.dnc_entries (list varchar, file_kind varchar, snapshot_date varchar, phone varchar, "
                "action varchar, _file varchar, _line bigint)")


def test_frame_record_facts_dnc_state_rules_and_cap(tmp_path):
    """Per-number C01, residence and area-code states (R22, R23), DNC (R20), the cap (R13)."""
    n = {name: number(200 + i) for i, name in enumerate(
        ["shared_confidential", "fl_exempt", "plain", "nh_dnc", "indiana_resident", "minnesota_consented",
         "capped", "capped_consented", "dnc_deleted", "dnc_change_added", "pending", "confidential_yes",
         "confidential_no_word", "fl_masked"])}
    n["indiana_area"] = number(300, "317")
    n["toll_free"] = number(301, "888")
    con = warehouse({
        "line_types": [{"phone": d, "line_type": "landline", "checked_at": FRESH_CHECK} for d in n.values()],
        "consents": [{"phone": n[k], "caller_entity": ENTITY, "scope": "prerecorded_voice", "consented_at": CONSENTED,
                      "revoked_at": None} for k in ("minnesota_consented", "capped_consented")],
        "rnd": [{"phone": n[k], "consent_date": "2026-03-10", "result": "no", "queried_at": RND_QUERIED}
                for k in ("minnesota_consented", "capped_consented")],
        "contact_history": [{"phone": n[k], "channel": "prerecorded_call_landline",
                             "attempted_at": (AS_OF - timedelta(days=3)).isoformat(), "caller_entity": ENTITY,
                             "disposition": "answered"} for k in ("capped", "capped_consented")],
    })
    _empty_record_tables(con)
    con.execute("insert into raw.nc_voters values (?, 'N', 'NC'), (?, ' y ', 'NC'), (?, 'N', 'IN'), (?, 'N', 'MN'), (?, 'N', 'NH')",
                [n["shared_confidential"], f"({n['shared_confidential'][:3]}) {n['shared_confidential'][3:6]}-{n['shared_confidential'][6:]}",
                 n["indiana_resident"], n["minnesota_consented"], n["nh_dnc"]])
    con.execute("insert into raw.fl_voters values (?, ?, 'Y', 'FL')", [n["fl_exempt"][:3], n["fl_exempt"][3:]])
    # The flag fails closed: anything but blank or a plain no protects the number (C01).
    con.execute("insert into raw.nc_voters values (?, 'YES', 'NC'), (?, ' No ', 'NC')",
                [n["confidential_yes"], n["confidential_no_word"]])
    con.execute("insert into raw.fl_voters values (?, ?, '*', 'FL')", [n["fl_masked"][:3], n["fl_masked"][3:]])
    d = lambda k: f"{n[k][:3]},{n[k][3:]}"  # noqa: E731
    con.execute("insert into raw.dnc_entries values "
                "('federal', 'full', '2026-11-01', ?, 'A', 'f1', 1), ('federal', 'full', '2026-11-20', ?, 'A', 'f2', 1), "
                "('federal', 'full', '2026-11-20', ?, 'A', 'f2', 2), ('federal', 'changes', '2026-11-24', ?, 'D', 'c1', 1), "
                "('federal', 'changes', '2026-11-24', ?, 'A', 'c1', 2), ('federal', 'changes', '2026-12-01', ?, 'A', 'c2', 1)",
                [n["plain"], n["nh_dnc"], d("dnc_deleted"), d("dnc_deleted"), d("dnc_change_added"), n["plain"]])
    # Two earlier prerecorded lists of this run hold `capped`; the version of a list outside
    # this run holds `pending`; one of this run's own lists is ignored as a pending version.
    members = [("robo_a", n["capped"]), ("robo_b", n["capped"]), ("robo_a", n["capped_consented"]),
               ("robo_b", n["capped_consented"])]
    members += [("robo", d_) for d_ in n.values()]
    con.execute("create table main.list_members (list_name varchar, phone_e164 varchar)")
    con.executemany("insert into main.list_members values (?, ?)", [(name, e164(p)) for name, p in members])
    published = tmp_path / "published"
    for list_name, as_of, phones in (("old_robo", AS_OF - timedelta(hours=2), [n["pending"]]),
                                     ("expired_robo", AS_OF - timedelta(hours=30), [n["plain"]]),
                                     ("robo", AS_OF - timedelta(hours=1), [n["plain"]])):
        version = published / list_name / "v1"
        version.mkdir(parents=True)
        (version / "manifest.json").write_text(json.dumps({
            "as_of": as_of.isoformat(), "expires_at": (as_of + timedelta(hours=24)).isoformat(),
            "channel": "prerecorded_call_landline", "effective_channel": "prerecorded_call_landline"}))
        # Written with pyarrow: no path is pasted into SQL, even in a test.
        pyarrow.parquet.write_table(pyarrow.table({"phone_e164": [e164(p) for p in phones]}), version / "contacts.parquet")
    inputs = F.FactInputs(AS_OF, ENTITY, POLICY)
    F.ensure_facts(con, inputs, run_id="records", published=published, run_lists=["robo_a", "robo_b", "robo"])
    ctx = F.ListContext("robo", "prerecorded_call_landline", "commercial", False, ("robo_a", "robo_b"))
    frame = F.gate_frame(con, ctx, inputs).set_index("phone_e164")
    row = lambda k: frame.loc[e164(n[k])]  # noqa: E731

    assert {k for k in n if row(k)["is_exempt_record"]} == {"shared_confidential", "fl_exempt", "confidential_yes",
                                                            "fl_masked"}
    assert {k for k in n if row(k)["lacks_state_rule_consent"]} == {"indiana_resident", "indiana_area"}
    assert {k for k in n if row(k)["nh_on_federal_dnc"]} == {"nh_dnc"}
    assert {k for k in n if row(k)["on_dnc_list"]} == {"nh_dnc", "dnc_change_added"}
    assert row("capped")["prerecorded_calls_in_window"] == 3 and row("capped")["over_prerecorded_cap"]
    assert row("capped_consented")["prerecorded_calls_in_window"] == 3
    assert not row("capped_consented")["over_prerecorded_cap"]                   # exempt with consent
    assert row("pending")["prerecorded_calls_in_window"] == 1 and not row("pending")["over_prerecorded_cap"]
    assert row("plain")["prerecorded_calls_in_window"] == 0
    assert row("toll_free")["gate_line_types"] == "landline,toll_free"
    assert row("toll_free")["has_disallowed_line_type"] and row("toll_free")["lacks_required_consent"]
    assert not row("plain")["has_disallowed_line_type"] and row("plain")["has_fresh_line_type_check"]
    # A live operator lifts R22 (not R23).
    live = F.gate_frame(con, F.ListContext("robo", "prerecorded_call_landline", "political", True, ()), inputs)
    assert not live["lacks_state_rule_consent"].any() and live["nh_on_federal_dnc"].sum() == 1
    assert not live["on_dnc_list"].any()
    # The frame's facts are never NULL (GE skips NULLs).
    boolean = [c for c in frame.columns if c.startswith(("is_", "has_", "lacks_", "over_", "nh_", "on_"))]
    assert not frame[boolean].isna().any().any()
    assert str(F.newest_federal_snapshot(con, AS_OF.date())) == "2026-11-20"


def test_facts_are_built_once_per_run():
    con = warehouse({"opt_outs": [{"phone": number(400), "received_at": BEFORE}]})
    _empty_record_tables(con)
    first = F.ensure_facts(con, INPUTS, run_id="r1", published=Path("/nonexistent"), run_lists=["a"])
    con.execute("insert into raw.opt_outs (phone, received_at) values (?, ?)", [number(401), BEFORE])
    assert F.ensure_facts(con, INPUTS, run_id="r1", published=Path("/nonexistent"), run_lists=["a"]) == first
    assert F.ensure_facts(con, INPUTS, run_id="r2", published=Path("/nonexistent"), run_lists=["a"])["opted_out"] == 2


def test_suite_follows_the_channel_policy():
    names = lambda channel, purpose="political": {  # noqa: E731
        e.name for e in suite_for(POLICY["channels"][channel], POLICY, purpose)}
    assert {"no_opted_out_number", "no_wrong_number", "no_confidential_or_exempt_number"} <= names("manual_call")
    assert "no_number_without_required_consent" not in names("manual_call")
    assert "no_do_not_call_number" in names("manual_call", "commercial")
    assert {"no_number_without_required_consent", "allowed_line_types_only", "fresh_line_type_check",
            "under_prerecorded_cap", "state_rule_consent_or_live_operator",
            "no_nh_number_on_federal_dnc"} <= names("prerecorded_call_landline")
    assert "allowed_line_types_only" in names("p2p_sms")


def test_gate_reads_no_model_but_the_list():
    """Independence, statically: the gate's SQL names main.list_members only, and no staging,
    people or compliance model."""
    sources = [ROOT / "expectations" / name for name in ("facts.py", "suites.py", "gate.py")]
    text = "\n".join(path.read_text() for path in sources)
    assert set(re.findall(r"\bmain\.(\w+)", text)) == {"list_members"}
    assert not re.search(r"\b(stg|int)_\w+", text)
    assert not re.search(r"\bconfig\.", text)          # nor the derived config.* tables
    lists_py = (ROOT / "assets" / "lists.py").read_text()
    gate_part = lists_py[lists_py.index("def gate("):lists_py.index("@dg.asset(key=[\"published\"")]
    assert not re.search(r"\bmain\.", gate_part)


# --------------------------------------------------------------------------------------
# LATEST never moves backwards (item 12), at the publishing layer.


def test_publish_refuses_to_move_latest_backwards(tmp_path):
    from assets.publishing import LatestWouldMoveBackwards, publish_version

    con = duckdb.connect()
    con.execute("create table m as select 'c1' as contact_id, '+19192004001' as phone_e164, 'A' as first_name, "
                "'B' as last_name, 'NC' as state, 'America/New_York' as timezone, '09:00' as window_start_local, "
                "'20:00' as window_end_local, 'everyone' as segment, 1.0 as score")
    con.execute("create table d as select 'c1' as contact_id, true as included")
    kwargs = dict(published=tmp_path, list_name="calls", members_table="m", decisions_table="d", manifest_fields={},
                  expires_hours=72)
    newer, _ = publish_version(con, as_of=AS_OF, **kwargs)
    with pytest.raises(LatestWouldMoveBackwards, match="not moved backwards"):
        publish_version(con, as_of=AS_OF - timedelta(days=1), **kwargs)
    assert (tmp_path / "calls" / "LATEST").read_text().strip() == newer
    assert {p.name for p in (tmp_path / "calls").iterdir() if not p.name.startswith(".")} == {"LATEST", newer}
    again, _ = publish_version(con, as_of=AS_OF, **kwargs)          # the same as-of may publish again
    assert (tmp_path / "calls" / "LATEST").read_text().strip() == again != newer


# --------------------------------------------------------------------------------------
# Real pipeline runs on a small handcrafted inbox.

SMS = {"campaign_id_10dlc": "CX12345", "campaign_verify_token": "cv|test-token"}
LISTS = [
    {"name": "calls", "segment": "everyone", "channel": "manual_call", "purpose": "political"},
    {"name": "texts", "segment": "everyone", "channel": "p2p_sms", "purpose": "political",
     "sms": {**SMS, "human_per_message_send": True}},
    {"name": "auto_texts", "segment": "everyone", "channel": "automated_sms", "purpose": "political", "sms": dict(SMS)},
]


def _nc_row(ncid: str, phone: str) -> str:
    row = {column: "" for column in NC_VOTER_COLUMNS}
    row.update({"county_id": "92", "county_desc": "WAKE", "voter_reg_num": ncid[-6:], "ncid": ncid,
                "last_name": "Case", "first_name": "Pat", "status_cd": "A", "voter_status_desc": "ACTIVE",
                "res_street_address": "1 MAIN ST", "res_city_desc": "RALEIGH", "state_cd": "NC", "zip_code": "27601",
                "full_phone_number": phone, "confidential_ind": "N", "registr_dt": "2010-05-01", "party_cd": "UNA",
                "gender_code": "U", "birth_year": "1980"})
    return "\t".join(row[column] for column in NC_VOTER_COLUMNS)


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def build_small_inbox(inbox: Path) -> dict[str, list[str]]:
    """Plain voters, SMS-consented wireless voters, opted-out voters, wrong numbers."""
    groups = {"plain": [number(i) for i in range(500, 506)], "consented": [number(i) for i in range(510, 514)],
              "opted_out": [number(i) for i in range(520, 524)], "wrong_number": [number(i) for i in range(530, 533)]}
    phones = [p for group in groups.values() for p in group]
    (inbox / "voters").mkdir(parents=True)
    (inbox / "voters" / "ncvoter_gate.txt").write_text(
        "\t".join(NC_VOTER_COLUMNS) + "\n" + "\n".join(_nc_row(f"GI{i:06d}", p) for i, p in enumerate(phones)) + "\n")
    _write_csv(inbox / "opt_outs" / "opt_outs.csv", ["phone", "received_at", "channel", "source", "reason"],
               [[f"({p[:3]}) {p[3:6]}-{p[6:]}", BEFORE, "sms", "test", "asked"] for p in groups["opted_out"]])
    _write_csv(inbox / "contact_history" / "history.csv", ["phone", "channel", "attempted_at", "caller_entity", "disposition"],
               [[p, "manual_call", BEFORE, ENTITY, "wrong_number"] for p in groups["wrong_number"]])
    _write_csv(inbox / "line_types" / "line_types.csv", ["phone", "line_type", "checked_at", "source"],
               [[p, "wireless", FRESH_CHECK, "test"] for p in phones])
    _write_csv(inbox / "consents" / "consents.csv",
               ["phone", "caller_entity", "scope", "consented_at", "method", "source", "disclosure_version", "revoked_at"],
               [[p, ENTITY, "sms", CONSENTED, "web_form", "test", "v1", ""] for p in groups["consented"]])
    _write_csv(inbox / "rnd" / "rnd.csv", ["phone", "consent_date", "result", "queried_at"],
               [[p, "2026-03-10", "no", RND_QUERIED] for p in groups["consented"]])
    return groups


def run(inbox: Path, home: Path, lists_path: Path, as_of: datetime = AS_OF):
    from configuration.settings import RunSettings
    from orchestration.runner import run_pipeline

    out = io.StringIO()
    status, outcomes = run_pipeline(RunSettings.build(inbox, home, as_of, lists_path), out=out)
    return status, {o.name: o for o in outcomes}, out.getvalue()


@pytest.fixture(scope="module")
def small_case(tmp_path_factory):
    base = tmp_path_factory.mktemp("gate_independence")
    groups = build_small_inbox(base / "inbox")
    lists_path = base / "lists.yaml"
    lists_path.write_text(yaml.safe_dump({"caller_entity": ENTITY, "caller_entity_type": "candidate_committee",
                                          "lists": LISTS}, sort_keys=False))
    return base, groups, lists_path


@pytest.fixture(scope="module")
def normal_run(small_case, monkeypatch_module):
    base, groups, lists_path = small_case
    monkeypatch_module.delenv("OUTREACH_TEST_DISABLE_RULE", raising=False)
    home = base / "home_normal"
    status, outcomes, printed = run(base / "inbox", home, lists_path)
    return home, status, outcomes, printed


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def _published_phones(home: Path, name: str) -> set[str]:
    list_dir = home / "published" / name
    version = (list_dir / "LATEST").read_text().strip()
    with (list_dir / version / "contacts.csv").open(newline="") as handle:
        return {row["phone_e164"] for row in csv.DictReader(handle)}


def test_normal_small_run_publishes_every_list(normal_run, small_case):
    home, status, outcomes, printed = normal_run
    _, groups, _ = small_case
    assert {name: o.detail for name, o in outcomes.items() if not o.published} == {}
    assert status == 0
    calls = _published_phones(home, "calls")
    assert {e164(p) for p in groups["plain"] + groups["consented"]} == calls
    assert _published_phones(home, "auto_texts") == {e164(p) for p in groups["consented"]}
    for phone in calls:
        assert phone not in printed and phone[2:] not in printed
    # A passing gate counts over its frame without writing it out.
    con = open_db(home / "warehouse.duckdb")
    kept = con.execute("select table_name from information_schema.tables where table_schema = 'lists' "
                       "and table_name like '%\\_\\_gate' escape '\\'").fetchall()
    con.close()
    assert kept == []


def test_gate_flags_what_the_models_would_miss(normal_run, small_case, tmp_path):
    """Independence without dbt: rows slipped into main.list_members and the eligibility
    models emptied, the gate's own facts still flag the rows."""
    from configuration.settings import RunSettings

    home, *_ = normal_run
    _, groups, lists_path = small_case
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(home / "warehouse.duckdb", copy)
    con = open_db(copy, read_only=False)
    con.execute("set TimeZone = 'UTC'")
    template = con.execute("select * from main.list_members where list_name = 'calls' limit 1").df()
    for table in ("int_opt_outs", "stg_opt_outs", "stg_contact_history", "int_valid_consents"):
        kind = con.execute("select table_type from information_schema.tables where table_schema = 'main' "
                           "and table_name = ?", [table]).fetchone()
        if kind is None:
            continue
        con.execute(f"create temp table _empty_{table} as select * from main.{table} limit 0")
        con.execute(f"drop {'view' if kind[0] == 'VIEW' else 'table'} main.{table}")
        con.execute(f"create table main.{table} as select * from _empty_{table}")
    for phone in groups["opted_out"] + groups["wrong_number"]:
        row = template.iloc[0].to_dict()
        row.update(contact_id=f"slipped-{phone[-4:]}", phone_e164=e164(phone))
        con.execute(f"insert into main.list_members ({', '.join(row)}) values ({', '.join('?' for _ in row)})",
                    list(row.values()))
    settings = RunSettings.build(small_case[0] / "inbox", home, AS_OF, lists_path)
    inputs = F.FactInputs(AS_OF, ENTITY, settings.policy.data)
    F.ensure_facts(con, inputs, run_id="tampered", published=home / "published", run_lists=["calls"])
    frame = F.gate_frame(con, F.ListContext("calls", "manual_call", "political", False, ()), inputs)
    con.close()
    assert frame["is_opted_out"].sum() == len(groups["opted_out"])
    assert frame["has_wrong_number"].sum() == len(groups["wrong_number"])


MUTATIONS = [
    # (rule switched off in the eligibility SQL, list it lets bad rows into, expectation that blocks it)
    ("R09", "calls", "no_opted_out_number"),
    ("R28", "calls", "no_wrong_number"),
    ("R06", "auto_texts", "no_number_without_required_consent"),
]


@pytest.mark.parametrize("rule, list_name, expectation", MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_mutation_disabled_rule_is_blocked_by_the_gate(small_case, monkeypatch, rule, list_name, expectation):
    base, _, lists_path = small_case
    monkeypatch.setenv("OUTREACH_TEST_DISABLE_RULE", rule)
    home = base / f"home_without_{rule}"
    status, outcomes, printed = run(base / "inbox", home, lists_path)
    outcome = outcomes[list_name]
    assert not outcome.published, f"{list_name} published with {rule} switched off: the gate did not notice"
    assert expectation in outcome.detail, outcome.detail
    assert status == 3
    assert not (home / "published" / list_name / "LATEST").exists()
    # The failed gate keeps its frame for whoever looks into why: the list's rows with the
    # gate's facts, the breaking ones among them. Lists that passed keep none.
    column = {"R09": "is_opted_out", "R28": "has_wrong_number", "R06": "lacks_required_consent"}[rule]
    con = open_db(home / "warehouse.duckdb")
    rows, breaking = con.execute(f"select count(*), count(*) filter (where {ident(column)}) "
                                 f"from lists.{ident(list_name + '__gate')}").fetchone()
    listed = con.execute(f"select count(*) from lists.{ident(list_name)}").fetchone()[0]
    kept = {row[0] for row in con.execute("select table_name from information_schema.tables where table_schema = 'lists' "
                                          "and table_name like '%\\_\\_gate' escape '\\'").fetchall()}
    con.close()
    assert rows == listed and breaking > 0
    assert f"{list_name}__gate" in kept <= {f"{name}__gate" for name, o in outcomes.items() if not o.published}


def test_replay_with_older_as_of_is_blocked_and_latest_stays(normal_run, small_case, tmp_path):
    home, *_ = normal_run
    base, _, lists_path = small_case
    replay_home = tmp_path / "home"
    shutil.copytree(home, replay_home, ignore=shutil.ignore_patterns(".outreach.lock"))
    before = {spec["name"]: (replay_home / "published" / spec["name"] / "LATEST").read_text() for spec in LISTS}
    versions = {spec["name"]: sorted(p.name for p in (replay_home / "published" / spec["name"]).iterdir())
                for spec in LISTS}
    status, outcomes, printed = run(base / "inbox", replay_home, lists_path, as_of=AS_OF - timedelta(days=1))
    assert status == 3
    for spec in LISTS:
        name = spec["name"]
        assert not outcomes[name].published
        assert "not moved backwards" in outcomes[name].detail, outcomes[name].detail
        assert f"LATEST version {before[name].strip()}" in outcomes[name].detail
        assert (replay_home / "published" / name / "LATEST").read_text() == before[name]
        assert sorted(p.name for p in (replay_home / "published" / name).iterdir()) == versions[name]


# --------------------------------------------------------------------------------------
# The standard small inbox (synthetic, seed 7): the gate agrees with eligibility.


def test_standard_small_inbox_publishes_every_list(pipeline_run):
    home, status, outcomes, printed = pipeline_run
    assert {o.name: o.detail for o in outcomes if not o.published} == {}
    assert status == 0
    list_dir = home / "published" / "everyone_robocall_landline"
    manifest = json.loads((list_dir / (list_dir / "LATEST").read_text().strip() / "manifest.json").read_text())
    gates = {gate["name"] for gate in manifest["gates"]}
    assert {"no_opted_out_number", "no_confidential_or_exempt_number", "under_prerecorded_cap",
            "state_rule_consent_or_live_operator", "fresh_line_type_check"} <= gates
