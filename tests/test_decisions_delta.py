"""list_decisions decided again per number (issue 12, docs/performance.md, macros/decision_delta.sql).

A delta build (OUTREACH_DECISIONS_DELTA=true, which an incremental `outreach run` sets) decides again
only the numbers whose inputs changed, and its rows are those a full build gives on the same
inputs, whatever kind of input changed: a number's eligibility, facts, consent, holders, DNC
rows or erasure; a contact joining or leaving a segment, its score, its name, its number."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assets.dbt import DBT_PROJECT_DIR, DECISIONS_DELTA_ENV
from assets.sql_text import ident
from assets.warehouse import connect

DECISIONS = "main.list_decisions"
MEMBERS = "main.list_members"
KEPT_HASHES = "incremental_state.list_decisions_inputs"
BOTH = ("list_decisions", "list_members")

# Each change picks its rows by a salted hash with a total order, so it picks the same rows
# in every copy of the warehouse.
INPUT_CHANGES = [
    # an opt-out and a federal DNC flip on numbers the lists hold
    "update main.phone_channel_eligibility set rule_ids = list_append(rule_ids, 'R09') where phone_e164 in "
    "(select phone_e164 from main.list_decisions where included group by 1 order by hash(phone_e164 || 'o'), 1 limit 12)",
    "update main.int_phone_facts set on_federal_dnc = not on_federal_dnc where phone_e164 in "
    "(select phone_e164 from main.list_decisions group by 1 order by hash(phone_e164 || 'f'), 1 limit 8)",
    # consent rows gone; a confidential holder appears
    "delete from main.int_consent_checks where phone_e164 in "
    "(select phone_e164 from main.int_consent_checks group by 1 order by hash(phone_e164), 1 limit 5)",
    "update main.int_phone_holders set held_by_confidential_record = true where phone_e164 in "
    "(select phone_e164 from main.list_decisions group by 1 order by hash(phone_e164 || 'h'), 1 limit 4)",
    # contacts leave a segment, change score, join one
    "delete from main.segment_members where (segment, contact_id) in (select (segment, contact_id) "
    "from main.segment_members order by hash(contact_id || 'd'), segment, contact_id limit 10)",
    "update main.segment_members set score = coalesce(score, 0) + 1000 where contact_id in "
    "(select contact_id from main.segment_members group by 1 order by hash(contact_id || 's'), 1 limit 10)",
    "insert into main.segment_members by name select 'gotv' as segment, contact_id, 0.5 as score "
    "from main.segment_members where segment = 'everyone' and contact_id not in "
    "(select contact_id from main.segment_members where segment = 'gotv') order by hash(contact_id), contact_id limit 6",
    # contacts move to a number another contact holds, or to one nobody held; a new name
    "update main.int_contacts set phone_e164 = (select min(phone_e164) from main.list_decisions) where contact_id in "
    "(select contact_id from main.list_decisions group by 1 order by hash(contact_id || 'm'), 1 limit 5)",
    "update main.int_contacts set phone_e164 = '+1919555' || lpad((hash(contact_id) % 10000)::varchar, 4, '0') "
    "where contact_id in (select contact_id from main.list_decisions group by 1 order by hash(contact_id || 'n'), 1 limit 3)",
    "update main.int_contacts set first_name = 'Changed' where contact_id in "
    "(select contact_id from main.list_decisions group by 1 order by hash(contact_id || 'z'), 1 limit 3)",
    # a state DNC listing and an erasure
    "insert into main.int_dnc_status by name select phone_e164, 'NC' as dnc_list, true as is_listed "
    "from main.list_decisions group by 1 order by hash(phone_e164 || 'x'), 1 limit 6",
    "insert into ledger.erasures by name select phone_e164 from main.list_decisions group by 1 "
    "order by hash(phone_e164 || 'e'), 1 limit 2",
    # what list_members reads besides the decisions: a voter-file id and a ZIP
    "update main.int_voters set state_voter_id = state_voter_id || 'X' where voter_key in (select c.voter_key "
    "from main.list_members m join main.int_contacts c using (contact_id) group by 1 order by hash(c.voter_key), 1 limit 4)",
    "update main.int_contacts set residence_zip5 = '27601' where contact_id in "
    "(select contact_id from main.list_members group by 1 order by hash(contact_id || 'p'), 1 limit 4)",
]


def _build_list_decisions(warehouse: Path, work: Path, delta: bool, models: tuple[str, ...] = ("list_decisions",)) -> None:
    dbt = Path(sys.executable).parent / "dbt"
    command = [str(dbt if dbt.exists() else "dbt"), "run", "--select", *models,
               "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
               "--target-path", str(work / "target"), "--log-path", str(work / "logs"),
               "--log-level-file", "none", "--quiet"]
    environment = {**os.environ, "OUTREACH_WAREHOUSE": str(warehouse), DECISIONS_DELTA_ENV: "true" if delta else ""}
    completed = subprocess.run(command, env=environment, capture_output=True, text=True)
    assert completed.returncode == 0, completed.stdout[-2000:]
    results = json.loads((work / "target" / "run_results.json").read_text())["results"]
    statuses = {r["unique_id"].rsplit(".", 1)[-1]: r["status"] for r in results}
    assert {model: statuses.get(model) for model in models} == {model: "success" for model in models}, statuses


def _execute(warehouse: Path, statements: list[str], parameters: dict | None = None) -> None:
    with connect(warehouse) as con:
        for statement in statements:
            used = {name: value for name, value in (parameters or {}).items() if f"${name}" in statement}
            con.execute(statement, used)


def _rows(warehouse: Path, table: str) -> list[tuple]:
    schema, name = table.split(".")
    with connect(warehouse, read_only=True) as con:
        return con.execute(f"select * from {ident(schema)}.{ident(name)} order by all").fetchall()


def copy_session_warehouse(pipeline_run, tmp_path: Path) -> Path:
    """The session run's warehouse copied to tmp_path/delta, for a test to change and build."""
    home, *_ = pipeline_run
    warehouse = tmp_path / "delta" / "warehouse.duckdb"
    warehouse.parent.mkdir()
    shutil.copyfile(home / "warehouse.duckdb", warehouse)
    return warehouse


@pytest.fixture()
def built(pipeline_run, tmp_path) -> Path:
    """A copy of the session run's warehouse, whose list_decisions and kept hashes a full build wrote."""
    warehouse = copy_session_warehouse(pipeline_run, tmp_path)
    with connect(warehouse, read_only=True) as con:
        kept = con.execute(f"select count(*) from {KEPT_HASHES}").fetchone()[0]
        numbers = con.execute("select count(distinct coalesce(phone_e164, '')) from main.list_decisions").fetchone()[0]
    assert kept == numbers > 0
    return warehouse


@pytest.mark.parametrize("hashes_kept", [True, False], ids=["hashes_kept", "no_hashes_kept"])
def test_a_delta_build_gives_the_rows_of_a_full_build_after_every_kind_of_input_change(built, tmp_path, hashes_kept):
    _execute(built, INPUT_CHANGES + ([] if hashes_kept else [f"drop table {KEPT_HASHES}"]))
    full = tmp_path / "full" / "warehouse.duckdb"
    full.parent.mkdir()
    shutil.copyfile(built, full)
    before = _rows(built, DECISIONS), _rows(built, MEMBERS)
    _build_list_decisions(built, tmp_path / "delta_dbt", delta=True, models=BOTH)
    _build_list_decisions(full, tmp_path / "full_dbt", delta=False, models=BOTH)
    delta_rows = _rows(built, DECISIONS), _rows(built, MEMBERS)
    assert delta_rows[0] != before[0] and delta_rows[1] != before[1], "the input changes changed some rows"
    assert delta_rows == (_rows(full, DECISIONS), _rows(full, MEMBERS))
    assert _rows(built, KEPT_HASHES) == _rows(full, KEPT_HASHES)


@pytest.mark.parametrize("settings_change", [
    "insert into config.window_overrides by name select 'NC' as state, channel, '10:00'::time as window_start, "
    "'19:00'::time as window_end from config.channels",
    "update main.int_voters set state_voter_id = state_voter_id || 'Y'",
], ids=["window_override", "every_voter_id"])
def test_list_members_follows_the_settings_and_voter_ids_it_reads(built, tmp_path, settings_change):
    _execute(built, [settings_change])
    full = tmp_path / "full" / "warehouse.duckdb"
    full.parent.mkdir()
    shutil.copyfile(built, full)
    before = _rows(built, MEMBERS)
    _build_list_decisions(built, tmp_path / "delta_dbt", delta=True, models=BOTH)
    _build_list_decisions(full, tmp_path / "full_dbt", delta=False, models=BOTH)
    assert _rows(built, MEMBERS) != before
    assert _rows(built, MEMBERS) == _rows(full, MEMBERS)


def test_list_members_missing_a_generation_is_rebuilt_whole(built, tmp_path):
    """list_decisions decided again twice while list_members was not built in between: the
    second set of numbers is not all list_members lacks, so it is rebuilt whole."""
    _execute(built, INPUT_CHANGES[:3])
    _build_list_decisions(built, tmp_path / "first", delta=True)
    _execute(built, INPUT_CHANGES[3:6])
    full = tmp_path / "full" / "warehouse.duckdb"
    full.parent.mkdir()
    shutil.copyfile(built, full)
    _build_list_decisions(built, tmp_path / "second", delta=True, models=BOTH)
    _build_list_decisions(full, tmp_path / "full_dbt", delta=False, models=BOTH)
    assert _rows(built, MEMBERS) == _rows(full, MEMBERS)


def test_a_delta_build_decides_again_only_the_numbers_whose_inputs_changed(built, tmp_path):
    with connect(built, read_only=True) as con:
        kept, changed = [row[0] for row in con.execute(
            "select phone_e164 from main.list_decisions where included group by 1 "
            "order by count(*) desc, 1 limit 2").fetchall()]
    # Both numbers' rows are marked in the table; only the second number's inputs change.
    _execute(built, [
        "update main.list_decisions set score = -1 where phone_e164 in ($kept, $changed)",
        "update main.list_members set score = -1 where phone_e164 in ($kept, $changed)",
        "update main.phone_channel_eligibility set rule_ids = list_append(rule_ids, 'R09') where phone_e164 = $changed",
    ], {"kept": kept, "changed": changed})
    _build_list_decisions(built, tmp_path / "dbt", delta=True, models=BOTH)
    with connect(built, read_only=True) as con:
        rows = con.execute("select phone_e164, score, included, rule_ids from main.list_decisions "
                           "where phone_e164 in ($kept, $changed)", {"kept": kept, "changed": changed}).fetchall()
    kept_rows = [row for row in rows if row[0] == kept]
    changed_rows = [row for row in rows if row[0] == changed]
    assert kept_rows and all(score == -1 for _, score, _, _ in kept_rows), "an unchanged number's rows are kept"
    assert changed_rows and all(score != -1 and not included and "R09" in rule_ids
                                for _, score, included, rule_ids in changed_rows)
    # list_members likewise: the kept number's list rows untouched, the changed one's gone.
    with connect(built, read_only=True) as con:
        members = con.execute("select phone_e164, score from main.list_members where phone_e164 in ($kept, $changed)",
                              {"kept": kept, "changed": changed}).fetchall()
    assert members and all(phone == kept and score == -1 for phone, score in members)


def test_list_decisions_reads_no_last_dial_time():
    """The consent checks' expires_at (as-of plus hours) is left out of the decisions' hash
    (list_decision_inputs): a decision that read it would not be decided again when it moves."""
    for model in ("compliance/list_decisions.sql", "lists/list_members.sql"):
        assert "expires_at" not in (DBT_PROJECT_DIR / "models" / model).read_text(), model
