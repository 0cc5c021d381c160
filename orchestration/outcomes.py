"""What a run did to each configured list, read from its Dagster events, and the run's report
(HOME/reports/<run>/). `outreach run` writes the report once the run returns; a run the UI, the
schedule or the sensor launches writes it as its `settings` resource lets go of HOME
(orchestration/location.py), so `outreach lists` and `outreach report` show every run."""

from __future__ import annotations

import io
import time
from dataclasses import dataclass
from typing import Iterable

import dagster as dg

from assets.dbt_failure import SUMMARY_PREFIX as DBT_SUMMARY_PREFIX
from configuration.settings import RunSettings

EXIT_PUBLISHED, EXIT_USAGE, EXIT_BLOCKED = 0, 2, 3


@dataclass(frozen=True)
class ListOutcome:
    name: str
    channel: str
    rows: int | None
    published: bool
    detail: str


def collect_outcomes(settings: RunSettings, events: Iterable[dg.DagsterEvent]) -> list[ListOutcome]:
    """One outcome per configured list, from the run's events (a result's `all_events`, or the
    instance's event log of the run)."""
    events = list(events)
    checks, published, rows = {}, {}, {}
    for event in events:
        if event.event_type_value == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            if evaluation.asset_key.path[0] == "lists":
                checks[evaluation.asset_key.path[-1]] = evaluation
        elif event.event_type_value == "ASSET_MATERIALIZATION":
            materialization = event.event_specific_data.materialization
            path = materialization.asset_key.path
            meta = {k: v.value for k, v in materialization.metadata.items()}
            if path[0] == "published":
                published[path[1]] = meta
            if path[0] == "lists":
                rows[path[1]] = meta.get("dagster/row_count")
    failures = _step_failures(events)
    upstream = "; ".join(_upstream_failure(step, message) for step, message in failures.items()
                         if not step.startswith(("published", "lists")))
    outcomes = []
    for spec in settings.lists.lists:
        if spec.name in published:
            meta = published[spec.name]
            outcomes.append(ListOutcome(spec.name, spec.channel, meta.get("dagster/row_count"), True, f"version {meta['version']}"))
            continue
        evaluation = checks.get(spec.name)
        if evaluation is not None and not evaluation.passed:
            detail = evaluation.metadata["summary"].value if "summary" in evaluation.metadata else "gate failed"
        elif upstream:
            detail = upstream
        else:
            step_errors = [m for s, m in failures.items() if spec.name in s]
            detail = "; ".join(step_errors) or "not published"
        outcomes.append(ListOutcome(spec.name, spec.channel, rows.get(spec.name), False, detail))
    return outcomes


def exit_status(outcomes: list[ListOutcome], events: Iterable[dg.DagsterEvent]) -> int:
    """CONTRACT section 1: 0 every list published, 2 an input could not be ingested, else 3."""
    failed_ingest = any(e.is_step_failure and (e.step_key or "").startswith("ingest_") for e in events)
    if failed_ingest:
        return EXIT_USAGE
    return EXIT_PUBLISHED if all(o.published for o in outcomes) else EXIT_BLOCKED


def format_outcome(outcome: ListOutcome) -> str:
    rows = "-" if outcome.rows is None else f"{outcome.rows:,}"
    status = "PUBLISHED" if outcome.published else "BLOCKED"
    return f"{outcome.name:<28} {outcome.channel:<26} {rows:>10}  {status}  {outcome.detail}"


def write_run_report(settings: RunSettings, run_id: str, status: int, outcomes: list[ListOutcome], out) -> None:
    """HOME/reports/<run>/run.json (what `outreach lists` reads) and index.html. A report that
    cannot be drawn is said so; it never changes what was published or the exit status."""
    from assets.reporting.report import write_report
    from assets.reporting.run_record import write_run_record

    write_run_record(settings.home, run_id, as_of=settings.as_of, exit_status=status, lists=[
        {"name": o.name, "channel": o.channel, "published": o.published, "rows": o.rows, "detail": o.detail}
        for o in outcomes])
    started = time.monotonic()
    try:
        path = write_report(settings.home, run_id, settings.warehouse, settings.policy.data["rules"])
    except Exception as error:  # noqa: BLE001 - the lists are already published or blocked
        print(f"report: not written ({error.__class__.__name__}); the run record is in "
              f"{settings.home / 'reports' / run_id / 'run.json'}", file=out, flush=True)
        return
    print(f"report: {path} ({time.monotonic() - started:.1f}s)", file=out, flush=True)


def report_launched_run(settings: RunSettings, instance: dg.DagsterInstance, run_id: str, log) -> None:
    """The report of a run launched from the UI, the schedule or the sensor, written after its
    last step from the events the instance holds. Never raises: the lists are published or
    blocked already, and a report that cannot be written must not fail the run."""
    try:
        events = [entry.dagster_event for entry in instance.all_logs(run_id) if entry.dagster_event is not None]
        outcomes = collect_outcomes(settings, events)
        lines = io.StringIO()
        write_run_report(settings, run_id, exit_status(outcomes, events), outcomes, lines)
    except Exception as error:  # noqa: BLE001 - see above; the class alone carries no personal data
        log.warning(f"report: not written ({error.__class__.__name__})")
        return
    for line in lines.getvalue().splitlines():
        log.info(line)


def _root_message(error) -> str:
    """The innermost cause of a step failure, without its exception class prefix."""
    if error is None:
        return "failed"
    while error.cause is not None:
        error = error.cause
    first_line = (error.message or error.cls_name or "failed").strip().splitlines()[0]
    prefix = f"{error.cls_name}: " if error.cls_name else ""
    return first_line.split(prefix, 1)[-1] if prefix and prefix in first_line else first_line


def _step_failures(events: list[dg.DagsterEvent]) -> dict[str, str]:
    failures = {}
    for event in events:
        if event.is_step_failure:
            failures[event.step_key] = _root_message(event.step_failure_data.error)
    return failures


def _upstream_failure(step: str, message: str) -> str:
    if step.startswith("outreach_dbt"):
        # The failed nodes and why (assets/dbt_failure.py), when dbt got as far as a node.
        what = message if message.startswith(DBT_SUMMARY_PREFIX) else "dbt build failed"
        return f"{what} (its error lines are in the run's output or Dagster log; details in HOME/dbt_target)"
    return f"{step} failed: {message}"
