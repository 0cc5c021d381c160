"""When the pipeline runs on its own under `dagster dev`: a daily pull-and-publish schedule,
and a sensor that starts a run when files in the inbox change."""


import hashlib
from pathlib import Path

import dagster as dg

from configuration.settings import RunSettings


def inbox_fingerprint(inbox: Path) -> str:
    """Changes whenever a file is added, removed, resized or rewritten (hidden files aside)."""
    digest = hashlib.sha256()
    if inbox.is_dir():
        for path in sorted(inbox.rglob("*")):
            relative = path.relative_to(inbox)
            if path.is_file() and not any(part.startswith(".") for part in relative.parts):
                stat = path.stat()
                digest.update(f"{relative.as_posix()}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def build_automation(job_name: str, settings: RunSettings) -> tuple[list, list]:
    schedule = dg.ScheduleDefinition(
        name="daily_pull_and_publish",
        job_name=job_name,
        cron_schedule="0 6 * * *",
        execution_timezone="America/New_York",
        description="Every morning: pull the HTTP sources, rebuild everything, publish the lists that pass.",
    )

    @dg.sensor(name="inbox_changed", job_name=job_name, minimum_interval_seconds=60,
               description="Starts a run when a file in the inbox is added, removed or changed.")
    def inbox_changed(context: dg.SensorEvaluationContext):
        fingerprint = inbox_fingerprint(settings.inbox)
        if fingerprint == context.cursor:
            return dg.SkipReason("inbox unchanged")
        # One run at a time per home: the run itself takes HOME/.outreach.lock (the settings
        # resource). While one of ours is still going, wait without moving the cursor, so this
        # change starts a run once it ends instead of a run that fails on the lock.
        if _runs_in_progress(context, job_name):
            return dg.SkipReason("a run of this job is still in progress on this home; waiting for it")
        context.update_cursor(fingerprint)
        return dg.RunRequest(run_key=fingerprint)

    return [schedule], [inbox_changed]


def _runs_in_progress(context: dg.SensorEvaluationContext, job_name: str) -> bool:
    in_progress = [dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.STARTING,
                   dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.CANCELING]
    runs = context.instance.get_runs(filters=dg.RunsFilter(job_name=job_name, statuses=in_progress), limit=1)
    return bool(runs)


@dg.asset_check(asset=dg.AssetKey("dnc_snapshots"), name="federal_dnc_fresh",
                description="The newest federal DNC snapshot is at most dnc_max_age_days old (R20).")
def federal_dnc_fresh(settings: dg.ResourceParam[RunSettings]) -> dg.AssetCheckResult:
    from assets.warehouse import connect

    limit = settings.policy.data["dnc_max_age_days"]
    with connect(settings.warehouse, read_only=True) as con:
        age = con.execute("select min(age_days) from main.dnc_snapshots where dnc_list = 'federal'").fetchone()[0]
    # Only commercial lists need a fresh snapshot, so this is a warning here; their gates block.
    return dg.AssetCheckResult(
        passed=age is not None and age <= limit,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"age_days": -1 if age is None else int(age), "limit_days": limit},
    )
