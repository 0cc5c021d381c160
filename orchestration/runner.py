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

from assets.dbt import OUT_OF_MEMORY_NOTICE
from assets.ledger import ledger_path
from configuration.permissions import private_umask

from assets import encryption
from assets.encryption import check_home

from .build_plan import plan_build, record_build
from .home_lock import hold_home
from .location import ALL_ASSETS_JOB, build_definitions
from .outcomes import ListOutcome, collect_outcomes, exit_status, write_run_report
from configuration.settings import RunSettings

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
                    kept = ("Done.", "Finished", "Failure", "Completed", OUT_OF_MEMORY_NOTICE)
                    if step.startswith("outreach_dbt") and not text.startswith(kept):
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
    plan = plan_build(settings, lambda line: print(line, file=out, flush=True))
    definitions = build_definitions(settings, loggers={"progress": _progress_logger(started, out)}, plan=plan)
    job = definitions.resolve_job_def(ALL_ASSETS_JOB)
    # With DAGSTER_HOME set (as `make dev` does), CLI runs land in that instance and show in the UI.
    dagster_home = os.environ.get("DAGSTER_HOME")
    instance_for_run = dg.DagsterInstance.get if dagster_home and os.path.isdir(dagster_home) else dg.DagsterInstance.ephemeral
    with instance_for_run() as instance:
        result = job.execute_in_process(instance=instance, raise_on_error=False, run_config={"loggers": {"progress": {}}})
    outcomes = collect_outcomes(settings, result.all_events)
    record_build(settings, plan, result.all_events)
    status = exit_status(outcomes, result.all_events)
    write_run_report(settings, result.run_id, status, outcomes, out)
    return status, outcomes
