"""Incremental refresh (issue 12, docs/performance.md): after a run, new opt-outs, inbound
replies and a do-not-call change list republish every list rebuilding only the dbt models
downstream of them, and every list's decisions and contacts are those of a cold run on the
same final inbox."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import duckdb
import pytest

from .conftest import AS_OF


def _latest(home: Path, name: str) -> Path:
    list_dir = home / "published" / name
    return list_dir / (list_dir / "LATEST").read_text().strip()


def _phones(home: Path, name: str) -> list[str]:
    with (_latest(home, name) / "contacts.csv").open() as handle:
        return [row["phone_e164"] for row in csv.DictReader(handle)]


def _built_models(home: Path) -> set[str]:
    results = json.loads((home / "dbt_target" / "run_results.json").read_text())
    return {r["unique_id"].split(".")[-1] for r in results["results"] if r["unique_id"].startswith("model.")}


def _table_rows(home: Path, table: str) -> list[tuple]:
    from assets.sql_text import ident
    from assets.warehouse import connect

    with connect(home / "warehouse.duckdb", read_only=True) as con:
        schema, name = table.split(".")
        return con.execute(f"select * from {ident(schema)}.{ident(name)} order by all").fetchall()


def _run(inbox: Path, home: Path, as_of=AS_OF):
    from configuration.settings import RunSettings
    from orchestration.runner import run_pipeline

    out = io.StringIO()
    status, outcomes = run_pipeline(RunSettings.build(inbox, home, as_of), out=out)
    return status, outcomes, out.getvalue()


def copy_of_first_run(first_home: Path, small_inbox: Path, tmp_path_factory, name: str) -> tuple[Path, Path]:
    """(inbox, home): copies of the session run's inbox and home, to change and run again."""
    base = tmp_path_factory.mktemp(name)
    inbox, home = base / "inbox", base / "home"
    shutil.copytree(small_inbox, inbox)
    shutil.copytree(first_home, home)
    return inbox, home


def add_suppression_inputs(inbox: Path, published_home: Path) -> dict[str, set[str]]:
    """Only suppression-type inputs change: an opt-out file, inbound STOP replies and a federal
    DNC change list, each naming numbers the first run published."""
    texts, calls = _phones(published_home, "everyone_texts"), _phones(published_home, "everyone_calls")
    opted, replied = set(texts[:15]), set(calls[-15:]) - set(texts[:15])
    with (inbox / "opt_outs" / "opt_outs_late.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["phone", "received_at", "channel", "source", "reason"])
        for phone in sorted(opted):
            writer.writerow([phone, "2026-11-27T09:00:00-05:00", "all", "web_form", "do not call"])
    with (inbox / "inbound_sms" / "replies_late.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["phone", "received_at", "body"])
        for phone in sorted(replied):
            writer.writerow([phone, "2026-11-27T10:00:00-05:00", "STOP"])
    changes = inbox / "dnc" / "federal" / "dnc_changes_20261126.txt"
    changes.write_text("".join(f"{p[2:5]},{p[5:]},A\n" for p in sorted(calls[20:40])))
    return {"opted": opted, "replied": replied}


@pytest.fixture(scope="module")
def incremental_and_cold(pipeline_run, small_inbox, tmp_path_factory):
    """(incremental home, its printed output, cold home, the numbers that opted out)."""
    first_home, *_ = pipeline_run
    inbox, home = copy_of_first_run(first_home, small_inbox, tmp_path_factory, "incremental")
    assert (home / "dbt_build_state.json").is_file(), "a successful run records what its models reflect"
    added = add_suppression_inputs(inbox, first_home)
    status, _, printed = _run(inbox, home)
    assert status in (0, 3)
    cold_home = home.parent / "cold"
    _run(inbox, cold_home)
    return home, printed, cold_home, added


def test_incremental_run_rebuilds_only_what_the_suppression_inputs_feed(incremental_and_cold):
    home, printed, _, _ = incremental_and_cold
    assert "incremental:" in printed
    # Settings unchanged: list_decisions decides again only the numbers whose inputs changed.
    assert "list decisions: numbers whose inputs changed" in printed
    # ... and list_members builds again the rows of those numbers only.
    generation, every_number = _table_rows(home, "incremental_state.list_decisions_generation")[0][::2]
    assert every_number is False
    assert _table_rows(home, "incremental_state.list_members_source") == [(generation,)]
    built = _built_models(home)
    assert {"int_opt_outs", "int_sms_classified", "int_dnc_status", "list_decisions", "list_members"} <= built
    # People and every segment are reused as the first run left them: no segment reads a
    # suppression fact (a number the phone rules have not evaluated is C06 in list_decisions).
    assert not built & {"int_voters", "int_contacts", "int_households", "int_person_crosswalk", "int_turnout",
                        "everyone", "gotv", "persuasion", "survey_sample", "issue_climate", "donor_asks",
                        "lapsed_donors", "volunteer_prospects", "segment_members"}


def test_incremental_decisions_equal_a_cold_run(incremental_and_cold):
    home, _, cold_home, added = incremental_and_cold
    names = sorted(path.name for path in (cold_home / "published").iterdir() if path.is_dir())
    assert len(names) == 16
    for name in names:
        incremental, cold = _latest(home, name), _latest(cold_home, name)
        assert (incremental / "contacts.csv").read_bytes() == (cold / "contacts.csv").read_bytes(), name
        query = ("select contact_id, phone_e164, included, rule_ids, evidence from read_parquet(?) "
                 "order by contact_id, phone_e164")
        assert (duckdb.execute(query, [str(incremental / "decisions.parquet")]).fetchall()
                == duckdb.execute(query, [str(cold / "decisions.parquet")]).fetchall()), name
    # The whole decision table too (names, states, evidence of every list), and the kept hashes.
    for table in ("main.list_decisions", "main.list_members", "incremental_state.list_decisions_inputs"):
        assert _table_rows(home, table) == _table_rows(cold_home, table), table
    # The new inputs took effect: none of those numbers is in any list now.
    for name in ("everyone_texts", "everyone_calls"):
        assert not set(_phones(home, name)) & (added["opted"] | added["replied"])


def test_a_new_opt_out_file_alone_reuses_the_listed_dnc_numbers(pipeline_run, small_inbox, tmp_path_factory):
    """Any new file changes the quarantined numbers (they fail closed, whatever the family): only
    the union with them is built again, not the numbers the dnc/ files list."""
    first_home, *_ = pipeline_run
    inbox, home = copy_of_first_run(first_home, small_inbox, tmp_path_factory, "opt_out_only")
    with (inbox / "opt_outs" / "opt_outs_only.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["phone", "received_at", "channel", "source", "reason"])
        writer.writerow([_phones(first_home, "everyone_texts")[0], "2026-11-27T09:00:00-05:00", "all", "web_form", "stop"])
    status, _, printed = _run(inbox, home)
    assert status in (0, 3) and "incremental:" in printed
    built = _built_models(home)
    assert {"int_quarantined_numbers", "int_dnc_status", "int_opt_outs"} <= built
    assert not built & {"int_dnc_listed", "int_dnc_lists", "dnc_snapshots"}
    assert _table_rows(home, "main.int_dnc_status") == _table_rows(first_home, "main.int_dnc_status")


# --- runs the schedule, the sensor or the UI launch (the code location's job) -----------------


def launch_keeping_logs(inbox: Path, home: Path, asset_selection=None):
    """The job as `dagster dev` runs it for the schedule, the sensor or the UI (no `outreach
    run`): (result, the run's log messages)."""
    import dagster as dg

    from configuration.settings import RunSettings
    from orchestration.location import ALL_ASSETS_JOB, build_definitions

    job = build_definitions(RunSettings.build(inbox, home, AS_OF)).resolve_job_def(ALL_ASSETS_JOB)
    with dg.DagsterInstance.ephemeral() as instance:
        result = job.execute_in_process(instance=instance, raise_on_error=False, asset_selection=asset_selection)
        return result, [entry.user_message or "" for entry in instance.all_logs(result.run_id)]


def _launch(inbox: Path, home: Path, asset_selection=None):
    return launch_keeping_logs(inbox, home, asset_selection)[0]


@pytest.fixture(scope="module")
def launched_incremental(pipeline_run, small_inbox, tmp_path_factory):
    """(home, inbox, result) of a launched run after the same new inputs as `incremental_and_cold`."""
    first_home, *_ = pipeline_run
    inbox, home = copy_of_first_run(first_home, small_inbox, tmp_path_factory, "launched")
    add_suppression_inputs(inbox, first_home)
    return (home, inbox, *launch_keeping_logs(inbox, home))


def test_a_launched_run_rebuilds_only_what_changed(launched_incremental, incremental_and_cold):
    home, _, result, _ = launched_incremental
    built = _built_models(home)
    assert {"int_opt_outs", "int_sms_classified", "int_dnc_status", "list_decisions", "list_members"} <= built
    assert not built & {"int_voters", "int_contacts", "int_households", "everyone", "gotv", "segment_members"}
    # The models it reuses are reported as such, and the lists downstream of them still ran.
    reused = {event.asset_key.path[-1] for event in result.all_events if event.is_step_materialization
              and event.step_materialization_data.materialization.metadata.get("reused") is not None}
    assert {"int_voters", "gotv", "segment_members"} <= reused and not reused & built
    generation, every_number = _table_rows(home, "incremental_state.list_decisions_generation")[0][::2]
    assert every_number is False
    # Every list equals the cold run's on the same final inbox.
    cold_home = incremental_and_cold[2]
    names = sorted(path.name for path in (cold_home / "published").iterdir() if path.is_dir())
    assert len(names) == 16
    for name in names:
        assert (_latest(home, name) / "contacts.csv").read_bytes() == (_latest(cold_home, name) / "contacts.csv").read_bytes(), name
    for table in ("main.list_decisions", "main.list_members"):
        assert _table_rows(home, table) == _table_rows(cold_home, table), table


def test_the_guard_checks_of_reused_models_report_their_earlier_pass(launched_incremental):
    """A reused model's publish-guard tests are not run again; their checks say so (passed in
    the build that made the model), and no list waits on a blocking check without a result."""
    home, _, result, logs = launched_incremental
    built = _built_models(home)
    checks = [event.asset_check_evaluation_data for event in result.all_events
              if event.event_type_value == "ASSET_CHECK_EVALUATION"]
    reused = {(c.asset_key.path[-1], c.check_name) for c in checks if c.metadata.get("reused") is not None}
    assert {model for model, _ in reused} >= {"int_caller", "int_events_consents"}
    assert all(c.passed for c in checks if (c.asset_key.path[-1], c.check_name) in reused)
    assert not {model for model, _ in reused} & built
    # Every check is reported once, run or reused.
    assert len(checks) == len({(c.asset_key.path[-1], c.check_name) for c in checks})
    assert not [line for line in logs if "emitted no result" in line]


def test_a_launched_run_with_nothing_new_reuses_every_model_and_its_checks(launched_incremental, tmp_path_factory):
    """The lists read dnc_snapshots, whose guard test is blocking: reused, it reports its
    earlier pass, and the lists do not run past a check without a result."""
    launched_home, launched_inbox, *_ = launched_incremental
    inbox, home = copy_of_first_run(launched_home, launched_inbox, tmp_path_factory, "again")
    result, logs = launch_keeping_logs(inbox, home)
    assert result.success
    checks = {(e.asset_check_evaluation_data.asset_key.path[-1], e.asset_check_evaluation_data.check_name):
              e.asset_check_evaluation_data for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"}
    dnc = checks[("dnc_snapshots", "unique_dnc_snapshots_dnc_list")]
    assert dnc.passed and dnc.metadata.get("reused") is not None, dnc
    # Every dbt check (all but the lists' gates and the DNC snapshot's age) is a reused model's.
    assert [key for key, check in checks.items() if check.metadata.get("reused") is None
            and key[1] not in ("gate", "federal_dnc_fresh")] == []
    assert not [line for line in logs if "emitted no result" in line]


def test_a_launched_run_records_its_build_for_the_next(launched_incremental):
    from configuration.settings import RunSettings
    from orchestration.build_plan import plan_build

    home, inbox, *_ = launched_incremental
    said = []
    plan = plan_build(RunSettings.build(inbox, home, AS_OF), said.append)
    assert plan.models == frozenset() and plan.decisions_delta, said


def test_a_subset_launched_from_the_ui_builds_what_was_picked_and_records_nothing(pipeline_run, small_inbox,
                                                                                   tmp_path_factory):
    import dagster as dg

    first_home, *_ = pipeline_run
    home = tmp_path_factory.mktemp("subset") / "home"
    shutil.copytree(first_home, home)
    result = _launch(small_inbox, home, asset_selection=[dg.AssetKey("int_opt_outs")])
    assert result.success
    assert _built_models(home) == {"int_opt_outs"}
    # Its inputs were not ingested in this run: what the models reflect is unknown, the next run is full.
    assert not (home / "dbt_build_state.json").exists()
