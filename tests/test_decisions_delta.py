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
KEPT_HASHES = "incremental_state.list_decisions_inputs"

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
]


def _build_list_decisions(warehouse: Path, work: Path, delta: bool) -> None:
    dbt = Path(sys.executable).parent / "dbt"
    command = [str(dbt if dbt.exists() else "dbt"), "run", "--select", "list_decisions",
               "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
               "--target-path", str(work / "target"), "--log-path", str(work / "logs"),
               "--log-level-file", "none", "--quiet"]
    environment = {**os.environ, "OUTREACH_WAREHOUSE": str(warehouse), DECISIONS_DELTA_ENV: "true" if delta else ""}
    completed = subprocess.run(command, env=environment, capture_output=True, text=True)
    assert completed.returncode == 0, completed.stdout[-2000:]
    results = json.loads((work / "target" / "run_results.json").read_text())["results"]
    assert [r["status"] for r in results if r["unique_id"].endswith(".list_decisions")] == ["success"]


def _execute(warehouse: Path, statements: list[str], parameters: dict | None = None) -> None:
    with connect(warehouse) as con:
        for statement in statements:
            used = {name: value for name, value in (parameters or {}).items() if f"${name}" in statement}
            con.execute(statement, used)


def _rows(warehouse: Path, table: str) -> list[tuple]:
    schema, name = table.split(".")
    with connect(warehouse, read_only=True) as con:
        return con.execute(f"select * from {ident(schema)}.{ident(name)} order by all").fetchall()


@pytest.fixture()
def built(pipeline_run, tmp_path) -> Path:
    """A copy of the session run's warehouse, whose list_decisions and kept hashes a full build wrote."""
    home, *_ = pipeline_run
    warehouse = tmp_path / "delta" / "warehouse.duckdb"
    warehouse.parent.mkdir()
    shutil.copyfile(home / "warehouse.duckdb", warehouse)
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
    before = _rows(built, DECISIONS)
    _build_list_decisions(built, tmp_path / "delta_dbt", delta=True)
    _build_list_decisions(full, tmp_path / "full_dbt", delta=False)
    delta_rows = _rows(built, DECISIONS)
    assert delta_rows != before, "the input changes changed some decisions"
    assert delta_rows == _rows(full, DECISIONS)
    assert _rows(built, KEPT_HASHES) == _rows(full, KEPT_HASHES)


def test_a_delta_build_decides_again_only_the_numbers_whose_inputs_changed(built, tmp_path):
    with connect(built, read_only=True) as con:
        kept, changed = [row[0] for row in con.execute(
            "select phone_e164 from main.list_decisions where included group by 1 "
            "order by count(*) desc, 1 limit 2").fetchall()]
    # Both numbers' rows are marked in the table; only the second number's inputs change.
    _execute(built, [
        "update main.list_decisions set score = -1 where phone_e164 in ($kept, $changed)",
        "update main.phone_channel_eligibility set rule_ids = list_append(rule_ids, 'R09') where phone_e164 = $changed",
    ], {"kept": kept, "changed": changed})
    _build_list_decisions(built, tmp_path / "dbt", delta=True)
    with connect(built, read_only=True) as con:
        rows = con.execute("select phone_e164, score, included, rule_ids from main.list_decisions "
                           "where phone_e164 in ($kept, $changed)", {"kept": kept, "changed": changed}).fetchall()
    kept_rows = [row for row in rows if row[0] == kept]
    changed_rows = [row for row in rows if row[0] == changed]
    assert kept_rows and all(score == -1 for _, score, _, _ in kept_rows), "an unchanged number's rows are kept"
    assert changed_rows and all(score != -1 and not included and "R09" in rule_ids
                                for _, score, included, rule_ids in changed_rows)
