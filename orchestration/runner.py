"""`outreach run`: materialize every asset in process and report one line per list."""

from __future__ import annotations

import logging
import os
import re
import sys
import time
from pathlib import Path

import dagster as dg
import duckdb

from assets.build_state import BuildState, changed_sources, current_state, load_build_state, save_build_state, state_after_run
from assets.dbt import load_manifest
from assets.dbt_selection import configured_segments, downstream_of_sources, production_models
from assets.ledger import ledger_path
from configuration.permissions import private_umask

from assets import encryption
from assets.encryption import check_home

from .home_lock import hold_home
from .location import ALL_ASSETS_JOB, build_definitions
from .outcomes import ListOutcome, collect_outcomes, exit_status, write_run_report
from configuration.settings import RunSettings

# The config tables every new as-of rewrites: the as-of itself (with the run's other settings,
# which the per-number hashes hold) and the published prerecorded lists still unexpired at it.
AS_OF_TABLES = frozenset({"config.run", "config.run_day", "config.pending_prerecorded"})


def _progress_logger(started: float, out) -> dg.LoggerDefinition:
    """Step starts, ends and the assets' own count messages; none carry personal data."""

    @dg.logger
    def progress(_init_context):
        log = logging.getLogger(f"outreach.progress.{id(out)}")
        # Dagster sends step events at DEBUG; they are the progress lines.
        log.setLevel(logging.DEBUG)
        log.propagate = False

        class Handler(logging.Handler):
            def emit(self, record):
                meta = getattr(record, "dagster_meta", {}) or {}
                event = meta.get("dagster_event")
                step = meta.get("step_key") or ""
                if event is not None:
                    kind = event.event_type_value
                    if kind not in ("STEP_START", "STEP_SUCCESS", "STEP_FAILURE"):
                        return
                    text = {"STEP_START": "started", "STEP_SUCCESS": "done", "STEP_FAILURE": "FAILED"}[kind]
                else:
                    if record.levelno < logging.INFO:
                        return
                    text = (meta.get("orig_message") or "").strip()
                    if not step or not text or text.endswith("Not executing."):
                        return
                    # dbt narrates every node; keep its summary lines only.
                    if step.startswith("outreach_dbt") and not text.startswith(("Done.", "Finished", "Failure", "Completed")):
                        return
                print(f"[{time.monotonic() - started:7.1f}s] {step}: {text}", file=out, flush=True)

        log.handlers = [Handler()]
        return log

    return progress


class DatabaseBusyError(RuntimeError):
    """A process outside the run lock (a leftover dbt, an analyst's writer) holds a database of HOME."""


def run_pipeline(settings: RunSettings, out=sys.stdout) -> tuple[int, list[ListOutcome]]:
    """Run every asset on the home; raises HomeBusyError at once when another run holds it, and
    MissingKeyError (assets/encryption.py) before anything is written when HOME has no key, and
    DatabaseBusyError when another process holds the warehouse or the ledger open."""
    check_home(settings.home)
    private_umask()
    # One run at a time per home: held before anything reads or writes HOME, released on any exit.
    with hold_home(settings.home):
        return _run_pipeline_locked(settings, out)


def database_lock_problem(path: Path, key: str) -> str | None:
    """Why `path` (an encrypted DuckDB file of HOME) cannot be opened for writing now, or None.
    DuckDB's message names the holder's pid; nothing else of it is repeated."""
    if not path.exists():
        return None
    con = encryption.new_connection(path.parent / (path.name + ".tmp"))
    try:
        encryption.attach(con, path, "outreach_probe", key)
    except duckdb.IOException as error:
        text = str(error)
        if "lock" not in text.lower():
            return None  # not a lock: the run itself reports it, naming the file
        pid = re.search(r"\(PID (\d+)\)", text)
        holder = f"process {pid.group(1)}" if pid else "another process"
        return (f"{path} is open in {holder} (not an outreach run: it holds no run lock); stop it or wait "
                "for it to finish, then run again")
    finally:
        con.close()
    return None


def _run_pipeline_locked(settings: RunSettings, out) -> tuple[int, list[ListOutcome]]:
    started = time.monotonic()
    settings.home.mkdir(parents=True, exist_ok=True)
    for database in (settings.warehouse, ledger_path(settings.home)):
        problem = database_lock_problem(database, encryption.read_key(settings.home))
        if problem:
            raise DatabaseBusyError(problem)
    os.environ["OUTREACH_WAREHOUSE"] = str(settings.warehouse)
    before, dbt_models, decisions_delta = plan_build(settings, out)
    definitions = build_definitions(settings, loggers={"progress": _progress_logger(started, out)},
                                    dbt_models=dbt_models, decisions_delta=decisions_delta)
    job = definitions.resolve_job_def(ALL_ASSETS_JOB)
    # With DAGSTER_HOME set (as `make dev` does), CLI runs land in that instance and show in the UI.
    dagster_home = os.environ.get("DAGSTER_HOME")
    instance_for_run = dg.DagsterInstance.get if dagster_home and os.path.isdir(dagster_home) else dg.DagsterInstance.ephemeral
    with instance_for_run() as instance:
        result = job.execute_in_process(instance=instance, raise_on_error=False, run_config={"loggers": {"progress": {}}})
    outcomes = collect_outcomes(settings, result.all_events)
    record_build(settings, before, result)
    status = exit_status(outcomes, result.all_events)
    write_run_report(settings, result.run_id, status, outcomes, out)
    return status, outcomes


def plan_build(settings: RunSettings, out) -> tuple[BuildState | None, set[str] | None, bool]:
    """This run's input fingerprints, the dbt models to build when only some inputs changed
    since the last successful build (None: all the lists need), and whether list_decisions may
    decide again only the numbers whose inputs changed. docs/performance.md."""
    if settings.engine != "duckdb":
        # Spark builds its models afresh from the Parquet export each run; its results are
        # loaded into the warehouse, so a later DuckDB run must not take them as its own build.
        return None, None, False
    manifest = load_manifest()
    segments = configured_segments(manifest, [spec.segment for spec in settings.lists.lists])
    previous = load_build_state(settings.home)
    before = current_state(settings, segments, previous)
    changed = changed_sources(previous, before)
    if changed is None or not settings.warehouse.exists():
        # (No warehouse: the models an incremental build would reuse are gone with it.)
        return before, None, False
    needed = production_models(manifest, segments)
    models = downstream_of_sources(manifest, changed, needed)
    families = sorted(name.split(".", 1)[1] for name in changed)
    # A changed setting (lists, policy) changes every number's inputs: decide them all. A new
    # as-of (and the pending lists it leaves unexpired) changes only the numbers whose time
    # tests it crossed, which their hashes find (macros/number_delta.sql, settings_hash).
    decisions_delta = not any(name.startswith("config.") and name not in AS_OF_TABLES for name in changed)
    print(f"incremental: {len(models)} of {len(needed)} dbt models to rebuild "
          f"(changed: {', '.join(families) or 'nothing'}); list decisions: "
          f"{'numbers whose inputs changed' if decisions_delta else 'every number'}", file=out, flush=True)
    return before, models, decisions_delta


def record_build(settings: RunSettings, before: BuildState | None, result) -> None:
    """After a run whose every step up to dbt succeeded, the models reflect `before`: keep it."""
    if before is None:
        return
    failed = [e.step_key for e in result.all_events if e.is_step_failure
              and not (e.step_key or "").startswith(("lists", "published"))]
    if failed or _erasure_sweep_removed_rows(result):
        return
    save_build_state(settings.home, state_after_run(settings, before))


def _erasure_sweep_removed_rows(result) -> bool:
    """The sweep blanked raw rows or removed model rows of people forgotten on request: the
    models no longer match what the inputs build, so the next run builds everything."""
    for materialization in result.asset_materializations_for_node("erasure_sweep"):
        metadata = materialization.metadata
        for name in ("raw_rows", "model_rows", "quarantine_lines"):
            value = metadata.get(name)
            if value is not None and getattr(value, "value", value):
                return True
    return False
