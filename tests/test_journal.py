"""The push-back journal (issue 10), without the pipeline: validation that names record and
column but never a value, one durable private file per request even with many writers at
once, absorption into the ledger that adds nothing twice, live suppression that honours a
file written a moment ago with dbt's SMS semantics, and Twilio's documented signature."""

from __future__ import annotations

import hashlib
import os
import stat
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
import yaml

from assets.journal import (
    JournalError,
    LiveSuppression,
    append_records,
    apply_suppression,
    classify_like_dbt,
    list_journal,
    numbers_held,
    parse_csv_body,
    read_journal_file,
    twilio_signature,
    unread_lines,
    valid_twilio_signature,
    validate_records,
)
from assets.journal.absorb import absorb_journal
from assets.journal.snapshot import write_snapshot
from assets.ledger import ledger_path
from assets.warehouse import connect
from .conftest import open_db

ROOT = Path(__file__).resolve().parent.parent
POLICY_SMS = yaml.safe_load((ROOT / "configuration" / "defaults" / "policy.yaml").read_text())["sms_opt_out"]
NOW = datetime(2026, 11, 20, 15, 0, tzinfo=timezone.utc)


# --- validation ---------------------------------------------------------------------------


def test_valid_records_are_normalized_and_times_default_to_now():
    good, errors = validate_records("opt_outs", [{"Phone": "(919) 555-0142", "channel": "", "extra": "x"}], now=NOW)
    assert errors == []
    assert good == [{"phone": "+19195550142", "received_at": "2026-11-20T15:00:00.000000+00:00",
                     "channel": "", "source": "", "reason": ""}]
    good, errors = validate_records("contact_history", [{"phone": 9195550142, "channel": "call",
                                                         "disposition": "Wrong-Number", "attempted_at": "garbled"}])
    # An unreadable time is kept as written: it counts as having happened (never refused).
    assert errors == [] and good[0]["attempted_at"] == "garbled" and good[0]["phone"] == "+19195550142"


def test_errors_name_record_and_column_never_the_value():
    records = [
        {"phone": "555-0142", "body": "STOP"},
        {"phone": "+1 919 555 0143"},
        "not an object",
        {"phone": ["9195550144"], "body": "hi"},
        {"phone": "9195550145", "body": "a\x00b"},
    ]
    good, errors = validate_records("inbound_sms", records)
    assert good == []
    assert errors == [
        "record 0, column phone: expected a valid NANP phone number",
        "record 1, column body: required, expected a value",
        "record 2: expected an object with the columns phone, received_at, body",
        "record 3, column phone: expected text",
        "record 4, column body: expected text without NUL characters",
    ]
    text = " ".join(errors)
    for secret in ("555-0142", "0143", "STOP", "0144", "0145"):
        assert secret not in text
    with pytest.raises(ValueError, match="unknown family"):
        validate_records("voters", [])


def test_csv_bodies_with_the_contract_header():
    body = "\ufeffPhone,received_at,channel,source,reason\r\n919-555-0142,2026-11-01T10:00:00-05:00,sms,spoke,\r\n\r\n9195550143,,,,\r\n"
    records, errors = parse_csv_body(body, "opt_outs")
    assert errors == [] and [(r["phone"], r["_line"]) for r in records] == [("919-555-0142", 2), ("9195550143", 4)]
    good, errors = validate_records("opt_outs", records)
    assert errors == [] and len(good) == 2 and all("_line" not in r for r in good)

    records, errors = parse_csv_body("number,when\n9195550142,x\n", "opt_outs")
    assert records == [] and errors[0].startswith("line 1: the header lacks the column(s) phone")
    records, errors = parse_csv_body("phone,received_at,body\n9195550142,x,hi\n9195550143,x,hi,extra\n555,x,hi\n",
                                     "inbound_sms")
    assert errors == ["line 3: expected at most 3 fields, found 4"] and errors[0].as_dict() == {
        "line": 3, "error": "expected at most 3 fields, found 4"}
    good, problems = validate_records("inbound_sms", records)
    assert len(good) == 1 and problems == ["record 1 (line 4), column phone: expected a valid NANP phone number"]
    assert problems[0].as_dict() == {"index": 1, "line": 4, "column": "phone", "error": "expected a valid NANP phone number"}
    # A quoted body may span lines: it is still one record.
    records, errors = parse_csv_body('phone,body\n9195550142,"STOP\nplease"\n9195550143,hi\n', "inbound_sms")
    assert errors == [] and records == [{"phone": "9195550142", "body": "STOP\nplease", "_line": 2},
                                        {"phone": "9195550143", "body": "hi", "_line": 4}]
    records, errors = parse_csv_body("", "inbound_sms")
    assert records == [] and errors[0].startswith("line 1: expected a header row")


def test_what_is_not_accepted_holds_its_numbers_for_suppression_never_in_its_message():
    # A spreadsheet's float, a labelled number, a bare string, a column named otherwise: each
    # refused, each error carrying the numbers its record holds (C07); a record without one, none.
    records = [{"phone": 9195550141.0}, {"phone": "919-555-0142 (cell)", "channel": "sms"}, "9195550143",
               {"Phone Number": "(919) 555-0144"}, {"phone": "no number", "reason": "555-0199"}, {"phone": "9195550145"}]
    good, errors = validate_records("opt_outs", records)
    assert [row["phone"] for row in good] == ["+19195550145"]
    assert [error.index for error in errors] == [0, 1, 2, 3, 4]
    assert unread_lines(errors) == [("+19195550141",), ("+19195550142",), ("+19195550143",), ("+19195550144",)]
    assert not any("919" in error or "919" in str(error.as_dict()) for error in errors)
    assert numbers_held({"phone": True, "body": None}) == frozenset()
    # A field holding a second number reads as the first with an extension: refused, both held.
    good, errors = validate_records("opt_outs", [{"phone": "9195550154;9195550155"}, {"phone": "9195550156 x12"}])
    assert [row["phone"] for row in good] == ["+19195550156"]
    assert [error.as_dict() for error in errors] == [
        {"index": 0, "column": "phone", "error": "expected one phone number, found more than one"}]
    assert unread_lines(errors) == [("+19195550154", "+19195550155")]
    # Past the hundred errors an answer names, the rest still hold their numbers.
    good, errors = validate_records("opt_outs", [{"phone": "x"}] * 120 + [{"phone": "9195550146.0"}])
    assert len(errors) == 101 and unread_lines(errors) == [("+19195550146",)]

    # CSV: each line left unread holds only its own numbers; a two-line quoted body is one record.
    body = 'phone,body\n9195550147,"STOP\ncall 9195550148"\n9195550149,hi,extra\n'
    records, errors = parse_csv_body(body, "inbound_sms")
    assert [record["_line"] for record in records] == [2]
    assert unread_lines(errors) == [("+19195550149",)]
    # A quote never closed swallows the rest into one field: refused, every number held.
    records, errors = parse_csv_body('phone,received_at\n"9195550150,x\n9195550151,y\n', "opt_outs")
    good, errors = validate_records("opt_outs", records)
    assert good == [] and unread_lines(errors) == [("+19195550150", "+19195550151")]
    # A header-less list of numbers: nothing is a record, every number is held.
    records, errors = parse_csv_body("9195550152\n9195550153\n", "opt_outs")
    assert records == [] and unread_lines(errors) == [("+19195550152", "+19195550153")]


# --- the journal files --------------------------------------------------------------------


def test_append_writes_one_private_durable_file_per_request(tmp_path):
    home = tmp_path / "home"
    receipt = append_records(home, "inbound_sms", [
        {"phone": "9195550142", "body": "Stop\nnow", "received_at": "2026-11-01T10:00:00-05:00"},
        {"phone": "9195550143", "body": "hello"},
    ], received_via="api:spoke", now=NOW)
    folder = home / "ledger" / "journal" / "inbound_sms"
    name = receipt.file.rsplit("/", 1)[1]
    assert receipt.file == f"journal/inbound_sms/{name}" and receipt.rows == 2
    assert receipt.name == name and name.startswith("20261120T150000000000Z-") and len(name) == len("20261120T150000000000Z-") + 8 + 4
    path = folder / name
    assert receipt.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for folder_path in (home / "ledger", home / "ledger" / "journal", folder):
        assert stat.S_IMODE(folder_path.stat().st_mode) == 0o700
    assert path.read_text().splitlines()[0] == "phone,received_at,body,received_via"
    assert os.listdir(folder) == [name]  # no temporary file left behind
    journal = read_journal_file(home, "inbound_sms", name)
    # Lines as a person opening the file sees them: the two-line body starts on line 2.
    assert [line for line, _ in journal.rows] == [2, 4] and journal.unreadable == ()
    assert journal.rows[0][1]["received_via"] == "api:spoke"

    with pytest.raises(JournalError):
        append_records(home, "inbound_sms", [{"phone": "9195550142", "body": "x"}, {"phone": "1"}], received_via="api:x")
    with pytest.raises(JournalError):
        append_records(home, "inbound_sms", [], received_via="api:x")

    # The numbers of what was refused: one line each, read back as lines that are not records.
    unread = append_records(home, "opt_outs", [{"phone": "9195550144"}], received_via="api:x",
                            unread=[("+19195550145",), ("+19195550146", "+19195550147")])
    assert (unread.rows, unread.unread) == (1, 2)
    journal = read_journal_file(home, "opt_outs", unread.name)
    assert [line for line, _ in journal.rows] == [2]
    assert journal.unreadable == ((3, "+19195550145"), (4, "+19195550146 +19195550147"))
    assert append_records(home, "opt_outs", [], received_via="api:x", unread=[("+19195550148",)]).rows == 0
    for bad in ([("9195550148",)], [("+19195550148,x",)], [()]):
        with pytest.raises(ValueError):
            append_records(home, "opt_outs", [], received_via="api:x", unread=bad)
    assert os.listdir(folder) == [name]  # all or nothing


def test_many_writers_at_once_never_share_a_file(tmp_path):
    home = tmp_path / "home"
    receipts, failures = [], []

    def writer(worker: int):
        try:
            for i in range(25):
                receipts.append(append_records(home, "opt_outs", [{"phone": f"919555{1000 + worker * 100 + i:04d}"}],
                                               received_via=f"api:w{worker}"))
        except Exception as error:  # pragma: no cover - reported below
            failures.append(error)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    names = list_journal(home, "opt_outs")
    assert len(names) == len(receipts) == 200 == len({r.file for r in receipts})
    phones = {read_journal_file(home, "opt_outs", n).rows[0][1]["phone"] for n in names}
    assert len(phones) == 200


# --- absorbing into the ledger ------------------------------------------------------------


def _ledger(home: Path, sql: str) -> list[tuple]:
    con = open_db(ledger_path(home))
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_absorb_adds_each_row_once_with_file_line_and_sha(tmp_path):
    home = tmp_path / "home"
    first = append_records(home, "opt_outs", [{"phone": "9195550142", "received_at": "2026-11-01T10:00:00Z"},
                                              {"phone": "9195550143", "channel": "sms"}], received_via="api:a")
    append_records(home, "contact_history", [{"phone": "9195550144", "channel": "manual_call",
                                              "disposition": "WRONG NUMBER"}], received_via="api:a")
    with connect(home / "warehouse.duckdb") as con:
        assert absorb_journal(con, home, NOW) == {"opt_outs": 2, "inbound_sms": 0, "contact_history": 1, "quarantine": 0}
        assert absorb_journal(con, home, NOW) == {"opt_outs": 0, "inbound_sms": 0, "contact_history": 0, "quarantine": 0}
    rows = _ledger(home, "select phone, channel, _file, _line, _sha256, _first_seen_at from opt_outs order by _line")
    assert [(r[0], r[1], r[2], r[3], r[4]) for r in rows] == [
        ("+19195550142", "", first.file, 2, first.sha256), ("+19195550143", "sms", first.file, 3, first.sha256)]
    assert all(r[5] == NOW for r in rows)

    # The same bytes under another name are the same file (same key): nothing new.
    folder = home / "ledger" / "journal" / "opt_outs"
    name = first.file.rsplit("/", 1)[1]
    (folder / ("20991231T000000000000Z-00000000.csv")).write_bytes((folder / name).read_bytes())
    # A line that is not a record (never written so) is quarantined, so C07 still suppresses it.
    (folder / "20991231T000000000001Z-00000001.csv").write_text(
        "phone,received_at,channel,source,reason,received_via\n9195550145,x,all\n")
    with connect(home / "warehouse.duckdb") as con:
        assert absorb_journal(con, home) == {"opt_outs": 0, "inbound_sms": 0, "contact_history": 0, "quarantine": 1}
        assert absorb_journal(con, home)["quarantine"] == 0
    assert _ledger(home, "select source, _line, raw_line from quarantine") == [("opt_outs", 2, "9195550145,x,all")]


# --- live suppression ---------------------------------------------------------------------


@pytest.mark.parametrize("body, expected", [
    ("STOP", "opt_out"), ("  Stop.  ", "opt_out"), ("stopp", "opt_out"), ("Endorse me!", "opt_out"),
    ("please REMOVE ME", "opt_out"), ("don\u2019t\u00a0text me", "opt_out"), ("\uff33\uff34\uff2f\uff30", "opt_out"),
    ("unsub pls", "review"), ("Unsure", "reply"), ("thanks!", "reply"), ("", "reply"), (None, "reply"),
    ('"STOP"', "opt_out"), ("\U0001F6D1 stop", "opt_out"), ("\u2018Stop\u2019", "opt_out"), ("... end", "opt_out"),
    ("#1 fan", "reply"), ("-", "reply"), ("S T O P", "opt_out"), ("E.N.D", "opt_out"), ("St op by later", "reply"),
    ("Please stop texting me", "opt_out"), ("I said STOP", "opt_out"), ("Do NOT contact me again", "opt_out"),
    ("I want to opt out", "opt_out"), ("Can you stop by the rally?", "reply"),
    ("\u0405TOP", "opt_out"), ("\u0405\u0422\u041e\u0420 please", "opt_out"),
    ("No thanks, stop", "review"), ("who is this? STOP", "review"), ("Please don't stop", "reply"),
    ("ALTO", "opt_out"), ("Arr\u00eat", "opt_out"), ("No me mandes mensajes", "opt_out"), ("Gracias", "reply"),
])
def test_replies_are_classified_with_dbt_semantics(body, expected):
    assert classify_like_dbt(body, POLICY_SMS) == expected


def test_live_suppression_honours_a_file_written_a_moment_ago(tmp_path):
    home = tmp_path / "home"
    live = LiveSuppression(home, POLICY_SMS)
    assert live.numbers() == frozenset()
    append_records(home, "opt_outs", [{"phone": "9195550142", "channel": "call"}], received_via="api:a")
    assert live.numbers() == {"+19195550142"}
    append_records(home, "contact_history", [
        {"phone": "9195550143", "channel": "p2p_sms", "disposition": "Wrong Number"},
        {"phone": "9195550144", "channel": "p2p_sms", "disposition": "no_answer"},
        # A dialer's own words: the wrong person (R28), a request not to be called (R09).
        {"phone": "9195550148", "channel": "manual_call", "disposition": "Not this person"},
        {"phone": "9195550149", "channel": "manual_call", "disposition": "Do Not Call"}], received_via="api:a")
    append_records(home, "inbound_sms", [
        {"phone": "9195550145", "body": "endorsed!"}, {"phone": "9195550146", "body": "unsub"},
        {"phone": "9195550147", "body": "who is this?"}], received_via="twilio")
    assert live.numbers() == {"+19195550142", "+19195550143", "+19195550145", "+19195550146", "+19195550148",
                              "+19195550149"}

    table = pa.table({"phone_e164": ["+19195550141", "+19195550142", "+19195550146", None], "x": [1, 2, 3, 4]})
    kept, removed = live.apply(table)
    assert removed == 2 and kept.column("x").to_pylist() == [1, 4]
    batch = table.to_batches()[0]
    kept, removed = apply_suppression(batch, {"+19195550141"})
    assert removed == 1 and kept.num_rows == 3
    assert apply_suppression(table, frozenset()) == (table, 0)

    # The run-written snapshot adds what the ledger learned from the inbox.
    write_snapshot(home, pa.table({"phone_e164": ["+19195550150"], "rule_id": ["R28"],
                                   "event_at": pa.array([None], pa.timestamp("us", tz="UTC"))}))
    assert "+19195550150" in live.numbers()
    assert stat.S_IMODE((home / "ledger" / "suppressed_numbers.parquet").stat().st_mode) == 0o600


def test_live_suppression_costs_little_with_thousands_of_files(tmp_path):
    home = tmp_path / "home"
    folder = home / "ledger" / "journal" / "opt_outs"
    folder.mkdir(parents=True)
    header = "phone,received_at,channel,source,reason,received_via\n"
    for i in range(3000):
        (folder / f"20261120T150000{i:06d}Z-{i:08x}.csv").write_text(f"{header}+1919555{i:04d},,,,,api:a\n")
    live = LiveSuppression(home, POLICY_SMS)
    assert len(live.numbers()) == 3000 and live.files_read == 3000
    timings = []
    for _ in range(20):
        started = time.perf_counter()
        live.numbers()
        timings.append(time.perf_counter() - started)
    # The median, so a moment of a shared core's contention does not decide (about 1.5 ms here).
    per_call = sorted(timings)[len(timings) // 2]
    assert live.files_read == 3000          # nothing parsed twice
    assert per_call < 0.005, f"{per_call * 1000:.2f} ms per call"
    append_records(home, "opt_outs", [{"phone": "9195559999"}], received_via="api:a")
    assert "+19195559999" in live.numbers() and live.files_read == 3001


# --- Twilio -------------------------------------------------------------------------------


def test_twilio_signature_matches_twilios_documented_example():
    # The worked example of Twilio's "Webhooks security" page (auth token 12345).
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    params = [("CallSid", "CA1234567890ABCDE"), ("Caller", "+12349013030"), ("Digits", "1234"),
              ("From", "+12349013030"), ("To", "+18005551212")]
    assert twilio_signature("12345", url, params) == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
    # Order of the form fields does not matter; any change does.
    assert valid_twilio_signature("12345", url, list(reversed(params)), "0/KCTR6DLpKmkAf8muzZqo1nDgQ=")
    assert valid_twilio_signature("12345", url, dict(params), "0/KCTR6DLpKmkAf8muzZqo1nDgQ=")
    assert not valid_twilio_signature("12345", url, params[:-1] + [("To", "+18005551213")], "0/KCTR6DLpKmkAf8muzZqo1nDgQ=")
    assert not valid_twilio_signature("12345", url + "&x=1", params, "0/KCTR6DLpKmkAf8muzZqo1nDgQ=")
    assert not valid_twilio_signature("54321", url, params, "0/KCTR6DLpKmkAf8muzZqo1nDgQ=")
    assert not valid_twilio_signature("12345", url, params, None)
    assert not valid_twilio_signature("", url, params, twilio_signature("", url, params))
    assert not valid_twilio_signature("12345", url, params, "0/KCTR6DLpKmkAf8muzZqo1nDgQ=\u00e9")
