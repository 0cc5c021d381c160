"""A run the UI, the schedule or the sensor launches (the code location's job, not `outreach
run`) writes its report like `outreach run` does: `outreach lists` and `outreach report` show
it, blocked lists and their reasons included."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from .conftest import AS_OF
from .test_list_selection import ONE_LIST

# gotv_calls publishes; a p2p_sms list without its 10DLC campaign is blocked (R25).
LISTS = ONE_LIST + """  - name: unregistered_texts
    segment: gotv
    channel: p2p_sms
    purpose: political
"""
OUTREACH = [str(Path(sys.executable).parent / "outreach")]


def test_a_launched_run_writes_its_report(small_inbox, tmp_path):
    import dagster as dg

    from configuration.settings import RunSettings
    from orchestration.location import ALL_ASSETS_JOB, build_definitions

    home = tmp_path / "home"
    home.mkdir()
    (home / "lists.yaml").write_text(LISTS)
    settings = RunSettings.build(small_inbox, home, AS_OF)
    job = build_definitions(settings).resolve_job_def(ALL_ASSETS_JOB)
    with dg.DagsterInstance.ephemeral() as instance:
        result = job.execute_in_process(instance=instance, raise_on_error=False)
    run = home / "reports" / result.run_id

    record = json.loads((run / "run.json").read_text())
    assert record["exit_status"] == 3  # a list blocked (CONTRACT section 1)
    lists = {item["name"]: item for item in record["lists"]}
    published = (home / "published" / "gotv_calls" / "LATEST").read_text().strip()
    assert lists["gotv_calls"]["published"] and lists["gotv_calls"]["detail"] == f"version {published}"
    manifest = json.loads((home / "published" / "gotv_calls" / published / "manifest.json").read_text())
    assert lists["gotv_calls"]["rows"] == manifest["row_count"] > 0
    assert not lists["unregistered_texts"]["published"]
    assert "campaign_id_10dlc is required" in lists["unregistered_texts"]["detail"]
    assert (run / "index.html").stat().st_size > 0

    shown = subprocess.run([*OUTREACH, "lists", "--home", str(home)], capture_output=True, text=True, timeout=120)
    assert shown.returncode == 0, shown.stderr
    assert f"blocked in the latest run ({result.run_id}" in shown.stdout and "unregistered_texts" in shown.stdout
    report = subprocess.run([*OUTREACH, "report", "--home", str(home)], capture_output=True, text=True, timeout=120)
    assert report.returncode == 0 and result.run_id in report.stdout, report.stdout + report.stderr
