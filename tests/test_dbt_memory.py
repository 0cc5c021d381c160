"""A dbt build that runs out of DuckDB's memory (assets/dbt_memory.py, docs/performance.md): the
nodes that did not finish are built again one model at a time; a second failure fails closed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assets.dbt_memory import memory_retry, node_name

from .test_incremental_build import _latest, _run, copy_of_first_run, launch_keeping_logs

OOM = "Runtime Error in model m (models/m.sql)\n  Out of Memory Error: could not allocate block of size 256.0 KiB"


def _result(unique_id: str, status: str, message: str | None = None) -> dict:
    return {"unique_id": unique_id, "status": status, "message": message}


def test_node_names_come_from_unique_ids():
    assert node_name("model.outreach.int_voters") == "int_voters"
    assert node_name("test.outreach.not_null_list_members_phone_e164.3f2a9c") == "not_null_list_members_phone_e164"


def test_a_build_that_only_ran_out_of_memory_is_built_again_without_what_finished():
    results = {"results": [
        _result("operation.outreach.outreach-on-run-start-0", "success"),
        _result("model.outreach.stg_voters", "success"),
        _result("test.outreach.not_null_x.ab12", "pass"),
        _result("test.outreach.unique_y.cd34", "warn"),
        _result("model.outreach.int_voters", "error", OOM),
        _result("test.outreach.unique_z.ef56", "error", OOM),
        _result("model.outreach.everyone", "skipped"),
    ]}
    retry = memory_retry(results)
    assert retry is not None
    assert retry.out_of_memory == ("int_voters", "unique_z")
    assert retry.finished == ("not_null_x", "stg_voters", "unique_y")


@pytest.mark.parametrize("other", [
    _result("model.outreach.int_contacts", "error", "Binder Error: column not found"),
    _result("test.outreach.unique_list_members.ab12", "fail", "Got 3 results"),
    _result("model.outreach.int_contacts", "error", None),
])
def test_any_other_failure_is_not_built_again(other):
    assert memory_retry({"results": [_result("model.outreach.int_voters", "error", OOM), other]}) is None


def test_a_build_without_an_out_of_memory_error_is_not_built_again():
    assert memory_retry({"results": [_result("model.outreach.a", "success"), _result("model.outreach.b", "skipped")]}) is None
    assert memory_retry({}) is None


def _full_build_copy(pipeline_run, small_inbox, tmp_path_factory, name: str) -> tuple[Path, Path]:
    """A copy of the session's run whose next build is full (no recorded build state)."""
    first_home, *_ = pipeline_run
    inbox, home = copy_of_first_run(first_home, small_inbox, tmp_path_factory, name)
    (home / "dbt_build_state.json").unlink()
    return inbox, home


def test_a_build_out_of_memory_finishes_one_model_at_a_time(pipeline_run, small_inbox, tmp_path_factory, monkeypatch):
    """Without the second pass the launched run fails: every list blocked (before this change)."""
    import dagster as dg

    first_home, *_ = pipeline_run
    inbox, home = _full_build_copy(pipeline_run, small_inbox, tmp_path_factory, "memory_retry")
    # DuckDB runs out in the first pass's models (tests only; assets/dbt.py); the second pass has the run's limit.
    monkeypatch.setenv("OUTREACH_TEST_FIRST_PASS_MEMORY", "8MB")
    result, messages = launch_keeping_logs(inbox, home)
    assert result.success
    notices = [message for message in messages if "Out of memory:" in message]
    assert len(notices) == 1 and "8MB" in notices[0], notices
    # The second pass built only what the first did not finish, one model at a time.
    second = json.loads((home / "dbt_target" / "run_results.json").read_text())
    assert second["args"]["threads"] == 1
    assert 0 < len(second["results"]) < 140
    # Every model reported once, across both passes: none lost, none twice.
    materialized = [event.asset_key.path[-1] for event in result.all_events if event.is_step_materialization
                    and event.step_key == "outreach_dbt"]
    assert len(materialized) == len(set(materialized))
    assert {"int_voters", "list_decisions", "list_members", "everyone"} <= set(materialized)
    checks = [(e.asset_check_evaluation_data.asset_key.path[-1], e.asset_check_evaluation_data.check_name)
              for e in result.all_events if e.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION]
    assert checks and len(checks) == len(set(checks))
    # The lists are those of the session's run: same inbox, same as-of.
    names = sorted(path.name for path in (first_home / "published").iterdir() if path.is_dir())
    assert len(names) == 16
    for name in names:
        assert (_latest(home, name) / "contacts.csv").read_bytes() == (_latest(first_home, name) / "contacts.csv").read_bytes(), name


def test_a_build_out_of_memory_one_model_at_a_time_too_fails_closed(pipeline_run, small_inbox, tmp_path_factory,
                                                                  monkeypatch, capsys):
    inbox, home = _full_build_copy(pipeline_run, small_inbox, tmp_path_factory, "memory_short")
    before = {path.name: (path / "LATEST").read_text() for path in (home / "published").iterdir() if path.is_dir()}
    # Too little for some models even alone; the inputs are unchanged, so ingest reads nothing.
    monkeypatch.setenv("OUTREACH_DUCKDB_MEMORY", "10MB")
    status, outcomes, printed = _run(inbox, home)
    assert status == 3
    assert outcomes and all(not outcome.published and "dbt build failed" in outcome.detail for outcome in outcomes)
    # Each blocked list says which models failed, and why.
    assert all(outcome.detail.startswith("dbt build failed in ") and
               "(DuckDB ran out of memory (OUTREACH_DUCKDB_MEMORY))" in outcome.detail for outcome in outcomes)
    assert "outreach_dbt: Out of memory: DuckDB's 10MB (OUTREACH_DUCKDB_MEMORY) ran out in" in printed
    # dbt's own lines (on standard output, as `outreach run` shows them) say why, in both passes.
    dbt_lines = capsys.readouterr().out
    assert dbt_lines.count("dbt: Out of Memory Error") >= 2 and dbt_lines.count("dbt: Done.") == 2
    # Nothing was published.
    assert {path.name: (path / "LATEST").read_text() for path in (home / "published").iterdir() if path.is_dir()} == before
    assert not (home / "dbt_build_state.json").exists()
