"""Texting tools' own exports dropped into the inbox (issue 10 item 6): recognised by header in
`opt_outs/` and `inbound_sms/`, mapped to the contract columns, reconciled per file, kept in
the ledger, and honoured by the published lists.

The headers are the tools' own (extra columns included), from:
- Spoke message export: StateVoicesNational/Spoke src/workers/jobs.js `exportCampaign` and
  politics-rewired/Spoke src/server/tasks/export-campaign.ts `processMessagesChunk`;
- Spoke opt-outs: the `opt_out` table of StateVoicesNational/Spoke (formats.md 5.2) and Spoke
  Rewired's export, politics-rewired/Spoke src/server/tasks/export-opt-outs.ts;
- ThruText's account-level opt-out export (help.getthru.io): `contact_phone`, `timestamp`;
  its other columns are not confirmed, so the ones here are stand-ins that must be dropped.

Every number is made up for the test; nothing here prints one."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from assets.ingest.contact_records import CONTACT_RECORD_SOURCES, load_csv_source
from assets.ingest.reading import LayoutError
from assets.ledger import absorb_family, ledger_path, snapshot_folder
from assets.warehouse import connect

from .test_rules_table import _digits, nc_voter_row, published_rows, run, write_lists, write_nc_voters

from .conftest import open_db

SPECS = {spec.folder: spec for spec in CONTACT_RECORD_SOURCES}

# StateVoicesNational/Spoke jobs.js exportCampaign: messageRow keys, in order.
SPOKE_MESSAGES = ["assignmentId", "campaignId", "userNumber", "contactNumber", "isFromContact", "sendStatus",
                  "attemptedAt", "text", "errorCode"]
# politics-rewired/Spoke export-campaign.ts processMessagesChunk, with one campaign variable.
REWIRED_MESSAGES = ["assignmentId", "userNumber", "contactNumber", "isFromContact", "numSegments", "numMedia",
                    "sendStatus", "errorCodes", "attemptedAt", "text", "campaignId", "texter[firstName]",
                    "texter[lastName]", "texter[email]", "texter[cell]", "campaignVariable[event_link]"]
# The `message` table as dumped from Spoke's database (what loadMessages reads back).
SPOKE_MESSAGE_TABLE = ["id", "user_number", "contact_number", "is_from_contact", "text", "service_response",
                       "assignment_id", "service", "service_id", "send_status", "created_at",
                       "campaign_contact_id"]
# StateVoicesNational/Spoke `opt_out` table.
SPOKE_OPT_OUT_TABLE = ["id", "cell", "assignment_id", "organization_id", "reason_code", "created_at"]
# politics-rewired/Spoke export-opt-outs.ts: the SELECT's columns; no time.
REWIRED_OPT_OUTS = ["cell", "first_name", "last_name", "external_id", "campaign_name", "organization_name"]
# ThruText account-level opt-out export: contact_phone and timestamp (UTC); the rest stand-ins.
THRUTEXT_OPT_OUTS = ["contact_phone", "timestamp", "campaign_title", "opt_out_note"]

SENT = "2026-11-01T14:00:00.000Z"
REPLIED = "2026-11-01T15:30:00.000Z"
SENDER = "+19195550100"


def _write(path: Path, header: list[str], rows: list[dict], raw_lines: list[str] = ()) -> Path:
    """A CSV with `header`; each row a dict by header name (absent = blank); raw lines appended as is."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow([row.get(name, "") for name in header])
        for line in raw_lines:
            handle.write(line + "\n")
    return path


def _message(number: str, from_contact: str, text: str, when: str, *, time_column: str = "attemptedAt",
             number_column: str = "contactNumber", flag_column: str = "isFromContact") -> dict:
    return {"assignmentId": "17", "campaignId": "4", "userNumber": SENDER, number_column: number,
            flag_column: from_contact, "sendStatus": "DELIVERED" if from_contact == "false" else "",
            time_column: when, "text": text, "texter[firstName]": "Tex", "texter[cell]": "+19195550101",
            "numSegments": "1", "numMedia": "0", "assignment_id": "17", "service": "twilio", "send_status": "SENT"}


def _load(tmp_path: Path, inbox: Path, folder: str):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    loads = {load.file: load for load in load_csv_source(con, inbox, SPECS[folder])}
    return con, loads


def _reconciled(con, loads) -> None:
    for file, load in loads.items():
        assert load.rows_read == load.rows_loaded + load.rows_quarantined, file
        raw = con.execute(f"select count(*) from raw.{SPECS[load.source].table} where _file = ?", [file]).fetchone()[0]
        quarantined = con.execute("select count(*) from raw.quarantine where _file = ?", [file]).fetchone()[0]
        assert (raw, quarantined) == (load.rows_loaded, load.rows_quarantined), file


# --- each format, read into raw -------------------------------------------------------------


@pytest.mark.parametrize("header, time_column, number_column, flag_column, true, false", [
    (SPOKE_MESSAGES, "attemptedAt", "contactNumber", "isFromContact", "true", "false"),
    (REWIRED_MESSAGES, "attemptedAt", "contactNumber", "isFromContact", "true", "false"),
    (SPOKE_MESSAGE_TABLE, "created_at", "contact_number", "is_from_contact", "t", "f"),
], ids=["spoke", "spoke_rewired", "spoke_message_table"])
def test_spoke_message_export_is_read_into_inbound_sms(tmp_path, header, time_column, number_column, flag_column,
                                                       true, false):
    inbox = tmp_path / "inbox"
    first, second = _digits(1), _digits(2)
    kw = {"time_column": time_column, "number_column": number_column, "flag_column": flag_column}
    rows = [
        _message(f"+1{first}", false, "Hi, it's Tex with the campaign. Reply STOP to opt out", SENT, **kw),
        _message(f"+1{first}", true, "STOP", REPLIED, **kw),
        _message(f"+1{second}", false, "Hi, it's Tex with the campaign", SENT, **kw),
        _message("+1555", true, "who is this", REPLIED, **kw),  # unreadable phone: loaded, unusable later
    ]
    unterminated = f'17,+1{second},"never closed'
    _write(inbox / "inbound_sms" / "campaign-messages.csv", header, rows, [unterminated])

    con, loads = _load(tmp_path, inbox, "inbound_sms")

    load = loads["inbound_sms/campaign-messages.csv"]
    assert load.layout == "spoke_messages_csv"
    assert (load.rows_read, load.rows_loaded, load.rows_quarantined) == (5, 4, 1)
    _reconciled(con, loads)
    got = con.execute("select phone, received_at, body, is_from_contact, _line from raw.inbound_sms "
                      "order by _line").fetchall()
    assert got == [
        (f"+1{first}", SENT, rows[0]["text"], false, 2),
        (f"+1{first}", REPLIED, "STOP", true, 3),
        (f"+1{second}", SENT, rows[2]["text"], false, 4),
        ("+1555", REPLIED, "who is this", true, 5),
    ]
    assert con.execute("select _line, reason from raw.quarantine").fetchall() == [
        (6, "unparseable CSV line: unterminated quote")]


def test_spoke_opt_out_table_is_read_into_opt_outs(tmp_path):
    inbox = tmp_path / "inbox"
    rows = [
        {"id": "1", "cell": f"+1{_digits(3)}", "assignment_id": "17", "organization_id": "1", "reason_code": "stop",
         "created_at": "2026-10-30 18:04:11.123+00"},
        {"id": "2", "cell": "+1919", "assignment_id": "17", "organization_id": "1", "reason_code": "", "created_at": "x"},
    ]
    _write(inbox / "opt_outs" / "opt_out.csv", SPOKE_OPT_OUT_TABLE, rows)

    con, loads = _load(tmp_path, inbox, "opt_outs")

    load = loads["opt_outs/opt_out.csv"]
    assert (load.layout, load.rows_read, load.rows_loaded, load.rows_quarantined) == ("spoke_opt_outs_csv", 2, 2, 0)
    _reconciled(con, loads)
    assert con.execute("select phone, received_at, channel, source, reason, _line from raw.opt_outs "
                       "order by _line").fetchall() == [
        (rows[0]["cell"], rows[0]["created_at"], None, "spoke", "stop", 2),
        ("+1919", "x", None, "spoke", "", 3),
    ]


def test_spoke_rewired_opt_out_export_is_read_without_a_time(tmp_path):
    inbox = tmp_path / "inbox"
    rows = [{"cell": f"+1{_digits(4)}", "first_name": "Opal", "last_name": "Out", "external_id": "VAN-1",
             "campaign_name": "GOTV week 1", "organization_name": "Outreach"}]
    _write(inbox / "opt_outs" / "optOutsExport-2026-11-1-10-00-00.csv", REWIRED_OPT_OUTS, rows)

    con, loads = _load(tmp_path, inbox, "opt_outs")

    (load,) = loads.values()
    assert (load.layout, load.rows_read, load.rows_loaded) == ("spoke_opt_outs_csv", 1, 1)
    _reconciled(con, loads)
    # No name, external id or campaign is kept: only the contract's columns exist.
    assert con.execute("select * exclude (_file) from raw.opt_outs").fetchall() == [
        (rows[0]["cell"], None, None, "spoke", None, 2)]


def test_thrutext_opt_out_export_is_read_into_opt_outs(tmp_path):
    inbox = tmp_path / "inbox"
    rows = [
        {"contact_phone": _digits(5), "timestamp": "2026-10-29 13:45:00", "campaign_title": "Persuasion, wave 2",
         "opt_out_note": "Opted out by texter"},
        {"contact_phone": "(919) 82", "timestamp": "2026-10-29 13:46:00"},
    ]
    _write(inbox / "opt_outs" / "opt_outs_export.csv", THRUTEXT_OPT_OUTS, rows,
           [f'{_digits(6)},2026-10-29 13:47:00,"Persuasion,x'])

    con, loads = _load(tmp_path, inbox, "opt_outs")

    (load,) = loads.values()
    assert (load.layout, load.rows_read, load.rows_loaded, load.rows_quarantined) == ("thrutext_opt_outs_csv", 3, 2, 1)
    _reconciled(con, loads)
    assert con.execute("select phone, received_at, channel, source, reason, _line from raw.opt_outs "
                       "order by _line").fetchall() == [
        (_digits(5), "2026-10-29 13:45:00", None, "thrutext", None, 2),
        ("(919) 82", "2026-10-29 13:46:00", None, "thrutext", None, 3),
    ]


def test_contract_files_never_fill_the_native_marker(tmp_path):
    inbox = tmp_path / "inbox"
    _write(inbox / "inbound_sms" / "replies.csv", ["phone", "received_at", "body", "is_from_contact"],
           [{"phone": _digits(7), "received_at": REPLIED, "body": "stop", "is_from_contact": "false"}])

    con, loads = _load(tmp_path, inbox, "inbound_sms")

    assert loads["inbound_sms/replies.csv"].layout == "inbound_sms_csv"
    assert con.execute("select is_from_contact from raw.inbound_sms").fetchall() == [(None,)]


@pytest.mark.parametrize("folder, header, message", [
    ("inbound_sms", ["contactNumber", "isFromContact", "text", "sendStatus"], "without a time column"),
    ("opt_outs", ["cell", "contact_phone", "timestamp"], "fits both"),
    ("opt_outs", ["contact_phone", "contact_phone", "timestamp"], "more than once"),
    ("opt_outs", ["mobile", "when"], "Spoke opt-out export"),
])
def test_unclear_native_headers_stop_the_run_naming_the_file(tmp_path, folder, header, message):
    inbox = tmp_path / "inbox"
    _write(inbox / folder / "export.csv", header, [{}])
    with pytest.raises(LayoutError, match=message) as error:
        _load(tmp_path, inbox, folder)
    assert f"{folder}/export.csv" in str(error.value)


def test_native_rows_reach_the_ledger_like_contract_rows(tmp_path):
    inbox, home = tmp_path / "inbox", tmp_path / "home"
    home.mkdir()
    _write(inbox / "inbound_sms" / "messages.csv", SPOKE_MESSAGES,
           [_message(f"+1{_digits(8)}", "false", "Reply STOP to opt out", SENT),
            _message(f"+1{_digits(8)}", "true", "stop", REPLIED)])
    _write(inbox / "opt_outs" / "thrutext.csv", THRUTEXT_OPT_OUTS, [{"contact_phone": _digits(9), "timestamp": SENT}])
    for family in ("inbound_sms", "opt_outs"):
        snapshot = snapshot_folder(inbox, family)
        with connect(home / "warehouse.duckdb") as con:
            load_csv_source(con, inbox, SPECS[family])
            assert absorb_family(con, home, inbox, family, snapshot)[family] == (2 if family == "inbound_sms" else 1)

    ledger = open_db(str(ledger_path(home)))
    try:
        assert ledger.execute("select is_from_contact, _line from inbound_sms order by _line").fetchall() == [
            ("false", 2), ("true", 3)]
        assert ledger.execute("select source, _file, _line from opt_outs").fetchall() == [
            ("thrutext", "opt_outs/thrutext.csv", 2)]
    finally:
        ledger.close()


# --- end to end: a real pipeline run ---------------------------------------------------------

LISTS = [
    {"name": "calls", "segment": "everyone", "channel": "manual_call", "purpose": "political"},
]
# Voter index -> how its number appears in the native exports.
OPTED = {
    "spoke_reply": 11,          # replied STOP in a Spoke message export
    "spoke_rewired_reply": 12,  # replied STOP in a Spoke Rewired message export
    "spoke_table": 13,          # in Spoke's opt_out table
    "spoke_rewired": 14,        # in Spoke Rewired's opt-out export (no time)
    "thrutext": 15,             # in ThruText's opt-out export
    "thrutext_quarantined": 16,  # on a ThruText line that cannot be parsed (C07)
}
CONTROLS = {
    "outbound_only": 21,  # was sent "Reply STOP to opt out" and never answered
    "answered": 22,       # replied, but not an opt-out
    "untouched": 23,
}


@pytest.fixture(scope="module")
def native_run(tmp_path_factory):
    base = tmp_path_factory.mktemp("native")
    inbox, home = base / "inbox", base / "home"
    home.mkdir()
    numbers = {name: _digits(index) for name, index in {**OPTED, **CONTROLS}.items()}
    write_nc_voters(inbox / "voters" / "ncvoter_native.txt",
                    [nc_voter_row(f"NV{index:06d}", numbers[name]) for index, name in enumerate(numbers)])
    e164 = {name: f"+1{digits}" for name, digits in numbers.items()}
    _write(inbox / "inbound_sms" / "GOTV-2026-11-01-messages.csv", SPOKE_MESSAGES, [
        _message(e164["spoke_reply"], "false", "Hi, this is Tex. Reply STOP to opt out", SENT),
        _message(e164["spoke_reply"], "true", "Stop texting me", REPLIED),
        _message(e164["outbound_only"], "false", "Hi, this is Tex. Reply STOP to opt out", SENT),
        _message(e164["answered"], "false", "Hi, this is Tex. Reply STOP to opt out", SENT),
        _message(e164["answered"], "true", "Already voted, thanks", REPLIED),
        _message("+1555", "true", "STOP", REPLIED),
    ])
    _write(inbox / "inbound_sms" / "rewired-messages.csv", REWIRED_MESSAGES, [
        _message(e164["spoke_rewired_reply"], "false", "Reply STOP to opt out", SENT),
        _message(e164["spoke_rewired_reply"], "true", "STOP", REPLIED),
    ])
    _write(inbox / "opt_outs" / "opt_out.csv", SPOKE_OPT_OUT_TABLE, [
        {"id": "1", "cell": e164["spoke_table"], "assignment_id": "17", "organization_id": "1",
         "reason_code": "stop", "created_at": "2026-10-30 18:04:11+00"},
    ])
    _write(inbox / "opt_outs" / "optOutsExport.csv", REWIRED_OPT_OUTS, [
        {"cell": e164["spoke_rewired"], "first_name": "Opal", "last_name": "Out", "campaign_name": "GOTV"},
    ])
    _write(inbox / "opt_outs" / "thrutext-opt-outs.csv", THRUTEXT_OPT_OUTS, [
        {"contact_phone": numbers["thrutext"], "timestamp": "2026-10-29 13:45:00", "campaign_title": "GOTV"},
        {"contact_phone": "919-82", "timestamp": "2026-10-29 13:46:00"},
    ], [f'{numbers["thrutext_quarantined"]},2026-10-29 13:47:00,"GOTV,x'])
    status, outcomes, printed = run(inbox, home, write_lists(base / "lists.yaml", LISTS))
    return home, status, outcomes, printed, e164


def _warehouse(home: Path, sql: str, params=()) -> list[tuple]:
    con = open_db(str(home / "warehouse.duckdb"))
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def _published(native_run) -> set[str]:
    home, status, outcomes, printed, _ = native_run
    assert status == 0, printed
    rows = published_rows(home, "calls")
    assert rows is not None
    return {row["phone_e164"] for row in rows}


def test_end_to_end_every_native_opt_out_keeps_its_number_off_the_list(native_run):
    home, *_, e164 = native_run
    published = _published(native_run)
    everyone = {row[0] for row in _warehouse(home, "select phone_e164 from main.everyone")}
    assert set(e164.values()) <= everyone, "every voter must be a candidate; only the opt-out keeps one out"
    for name in OPTED:
        assert e164[name] not in published, name
    for name in CONTROLS:
        assert e164[name] in published, name
    rules = dict(_warehouse(home, "select phone_e164, rule_ids from main.list_decisions where not included"))
    assert {"R11"} <= set(rules[e164["spoke_reply"]]) and {"R11"} <= set(rules[e164["spoke_rewired_reply"]])
    for name in ("spoke_table", "spoke_rewired", "thrutext"):
        assert "R09" in rules[e164[name]], name


def test_end_to_end_outbound_messages_are_read_kept_and_not_replies(native_run):
    home, *_ = native_run
    _published(native_run)
    file = "inbound_sms/GOTV-2026-11-01-messages.csv"
    read, loaded, quarantined, layout = _warehouse(
        home, "select rows_read, rows_loaded, rows_quarantined, layout from raw.ingest_files where _file = ?", [file])[0]
    assert (read, loaded, quarantined, layout) == (6, 6, 0, "spoke_messages_csv")
    # Every row read is in raw and in the ledger; staging keeps the replies only.
    assert _warehouse(home, "select count(*) from raw.inbound_sms where _file = ?", [file])[0][0] == 6
    assert _warehouse(home, "select count(*) from ledger.inbound_sms where _file = ?", [file])[0][0] == 6
    by_flag = dict(_warehouse(home, "select is_from_contact, count(*) from ledger.inbound_sms "
                                    "where _file = ? group by all", [file]))
    assert by_flag == {"false": 3, "true": 3}
    assert _warehouse(home, "select count(*) from main.stg_inbound_sms where source_file = ?", [file])[0][0] == 3


def test_end_to_end_unreadable_phones_fail_closed(native_run):
    home, *_ = native_run
    _published(native_run)
    unusable = _warehouse(home, "select source_file, source_line, reason from main.unusable_records "
                                "where source_file in (?, ?) order by all",
                          ["inbound_sms/GOTV-2026-11-01-messages.csv", "opt_outs/thrutext-opt-outs.csv"])
    assert unusable == [
        ("inbound_sms/GOTV-2026-11-01-messages.csv", 7, "phone is not a valid NANP number"),
        ("opt_outs/thrutext-opt-outs.csv", 3, "phone is not a valid NANP number"),
    ]
    assert _warehouse(home, "select _file, _line from ledger.quarantine") == [("opt_outs/thrutext-opt-outs.csv", 4)]


def test_end_to_end_native_opt_outs_reach_the_ledger(native_run):
    home, *_ = native_run
    _published(native_run)
    counts = dict(_warehouse(home, "select _file, count(*) from ledger.opt_outs group by all"))
    assert counts == {"opt_outs/opt_out.csv": 1, "opt_outs/optOutsExport.csv": 1, "opt_outs/thrutext-opt-outs.csv": 2}
    layouts = dict(_warehouse(home, "select _file, layout from raw.ingest_files where source = 'opt_outs'"))
    assert layouts == {"opt_outs/opt_out.csv": "spoke_opt_outs_csv", "opt_outs/optOutsExport.csv": "spoke_opt_outs_csv",
                       "opt_outs/thrutext-opt-outs.csv": "thrutext_opt_outs_csv"}
