"""Push-back through the real pipeline (issue 10): an opt-out, a wrong-number disposition and a
STOP reply journaled after a run keep their numbers out of every list the next run publishes,
the decisions name the journal file as evidence, the gate's own facts know them, the run's
snapshot holds them for live suppression, and running again adds nothing to the ledger.
No phone number is printed: assertion messages name rules and files only."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
import yaml

from assets.journal import LiveSuppression, append_records, classify_like_dbt
from assets.ledger import ledger_counts

from .conftest import AS_OF
from .conftest import open_db

ROOT = Path(__file__).resolve().parent.parent
POLICY_SMS = yaml.safe_load((ROOT / "configuration" / "defaults" / "policy.yaml").read_text())["sms_opt_out"]
BEFORE_AS_OF = "2026-11-27T10:00:00-05:00"
# Bodies whose classification dbt and live suppression must agree on, sent from numbers in no list.
PARITY_BODIES = ["STOP", "Endorse this!", "unsub please", "thanks", "don\u2019t\u00a0text", "\uff33\uff34\uff2f\uff30",
                 "Please remove me", "Stopp", "UNSUBSCRIBE", "\"STOP\"", "\U0001F6D1 unsub", "#1 fan",
                 "S T O P", "St op by"]


def _run(home: Path, inbox: Path) -> tuple[int, str]:
    from configuration.settings import RunSettings
    from orchestration.runner import run_pipeline

    out = io.StringIO()
    status, _ = run_pipeline(RunSettings.build(inbox, home, AS_OF), out=out)
    return status, out.getvalue()


def _latest(home: Path) -> dict[str, Path]:
    published = home / "published"
    return {d.name: d / (d / "LATEST").read_text().strip() for d in sorted(published.iterdir()) if (d / "LATEST").exists()}


def _listed(version: Path) -> set[str]:
    return set(pq.read_table(version / "contacts.parquet", columns=["phone_e164"]).column("phone_e164").to_pylist())


def _warehouse(home: Path, sql: str, params=None) -> list[tuple]:
    con = open_db(home / "warehouse.duckdb")
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def journaled(pipeline_run, small_inbox, tmp_path_factory):
    """A copy of the session run's home; three listed numbers pushed back through the journal; run again."""
    home, status, *_ = pipeline_run
    base = tmp_path_factory.mktemp("journal")
    shutil.copytree(home, base / "home")
    shutil.copytree(small_inbox, base / "inbox")
    home, inbox = base / "home", base / "inbox"
    before = _latest(home)
    listed = sorted(_listed(before["everyone_calls"]))
    opt_out, wrong, stop, unread = listed[0], listed[1], listed[2], listed[3]
    receipts = {
        "opt_out": append_records(home, "opt_outs", [{"phone": opt_out, "received_at": BEFORE_AS_OF, "channel": "sms"}],
                                  received_via="api:test"),
        "wrong": append_records(home, "contact_history", [{"phone": wrong, "channel": "manual_call", "disposition":
                                                           "Wrong Number", "attempted_at": BEFORE_AS_OF}],
                                received_via="api:test"),
        "stop": append_records(home, "inbound_sms", [{"phone": stop, "body": "STOP", "received_at": BEFORE_AS_OF}],
                               received_via="twilio"),
        # What the API journals for an opt-out it could not accept (a spreadsheet's float, say).
        "unread": append_records(home, "opt_outs", [], received_via="api:test", unread=[(unread,)]),
        "parity": append_records(home, "inbound_sms", [
            {"phone": f"+1919555{i + 100:04d}", "body": body, "received_at": BEFORE_AS_OF}
            for i, body in enumerate(PARITY_BODIES)], received_via="api:test"),
    }
    live_before_run = LiveSuppression(home, POLICY_SMS).numbers()
    second_status, out = _run(home, inbox)
    return {"home": home, "inbox": inbox, "before": before, "first_status": status, "status": second_status,
            "out": out, "phones": {"opt_out": opt_out, "wrong": wrong, "stop": stop, "unread": unread}, "receipts": receipts,
            "live_before_run": live_before_run}


def test_live_suppression_honours_the_journal_before_any_run(journaled):
    assert set(journaled["phones"].values()) <= journaled["live_before_run"]


def test_journaled_numbers_are_in_no_list_after_the_next_run(journaled):
    home = journaled["home"]
    assert journaled["status"] in (0, 3), "the second run failed"
    after = _latest(home)
    assert set(after) == set(journaled["before"])
    moved = [name for name in after if after[name] != journaled["before"][name]]
    # Every list published in the first run published again (a blocked one would keep the older version).
    assert set(moved) == set(after), sorted(set(after) - set(moved))
    phones = set(journaled["phones"].values())
    leaks = {name for name, version in after.items() if _listed(version) & phones}
    assert leaks == set()


@pytest.mark.parametrize("kind, rule, kind_text", [("opt_out", "R09", "opt_out"), ("wrong", "R28", "wrong_number"),
                                                   ("stop", "R11", "opt_out"), ("unread", "C07", "")])
def test_decisions_name_the_rule_and_the_journal_file(journaled, kind, rule, kind_text):
    from orchestration.explain import explain_phone

    lines = explain_phone(journaled["phones"][kind], journaled["home"], only_list="everyone_calls")
    assert lines[0].startswith("excluded from everyone_calls") and rule in lines[0], f"{kind}: {lines[0][:60]}"
    receipt = journaled["receipts"][kind]
    evidence = [line.strip() for line in lines[1:]]
    assert any(line.startswith(f"evidence {rule}: {kind_text}") and f"{receipt.file} line 2" in line
               for line in evidence), f"{kind}: no {rule} evidence naming {receipt.file}"


def test_the_gate_reads_the_journal_through_the_ledger(journaled):
    phones = journaled["phones"]
    facts = dict(((p, (o, w)) for p, o, w in _warehouse(
        journaled["home"], "select phone_e164, opted_out, wrong_number from gate.phone_facts where phone_e164 in (?, ?, ?, ?)",
        [phones["opt_out"], phones["wrong"], phones["stop"], phones["unread"]])))
    assert facts.get(phones["opt_out"], (None, None))[0] is True
    assert facts.get(phones["unread"], (None, None))[0] is True
    assert facts.get(phones["stop"], (None, None))[0] is True
    assert facts.get(phones["wrong"], (None, None))[1] is True


def test_live_classification_is_dbts(journaled):
    receipt = journaled["receipts"]["parity"]
    rows = _warehouse(journaled["home"], "select source_line, classification from main.int_sms_classified "
                      "where source_file = ? order by source_line", [receipt.file])
    assert [line for line, _ in rows] == list(range(2, 2 + len(PARITY_BODIES)))
    assert [c for _, c in rows] == [classify_like_dbt(body, POLICY_SMS) for body in PARITY_BODIES]


def test_the_run_writes_the_snapshot_live_suppression_reads(journaled):
    home = journaled["home"]
    path = home / "ledger" / "suppressed_numbers.parquet"
    assert path.stat().st_mode & 0o077 == 0
    snapshot = pq.read_table(path)
    assert snapshot.column_names == ["phone_e164", "rule_id", "event_at"]
    rules = {}
    for phone, rule in zip(snapshot.column("phone_e164").to_pylist(), snapshot.column("rule_id").to_pylist()):
        rules.setdefault(phone, set()).add(rule)
    phones = journaled["phones"]
    assert "R09" in rules.get(phones["opt_out"], set())
    assert "R28" in rules.get(phones["wrong"], set())
    assert "R11" in rules.get(phones["stop"], set())
    assert set(rules) <= LiveSuppression(home, POLICY_SMS).numbers()
    # Every opt-out and wrong number in the ledger, whatever its time, is in the snapshot.
    expected = {p for (p,) in _warehouse(home, "select phone_e164 from main.stg_opt_outs where phone_e164 is not null "
                                         "union select phone_e164 from main.stg_contact_history "
                                         "where disposition = 'wrong_number' and phone_e164 is not null")}
    assert expected <= set(rules)


def test_running_again_adds_nothing_to_the_ledger(journaled):
    home = journaled["home"]
    counts = ledger_counts(home)
    journal_rows = {table: _warehouse(home, f"select count(*) from ledger.{table} where _file like 'journal/%'")[0][0]
                    for table in ("opt_outs", "contact_history", "inbound_sms")}
    assert journal_rows == {"opt_outs": 1, "contact_history": 1, "inbound_sms": 1 + len(PARITY_BODIES)}
    status, _ = _run(home, journaled["inbox"])
    assert status in (0, 3)
    assert ledger_counts(home) == counts
