"""Every dbt data test and unit test, once per CI run.

`outreach run` builds with only the data tests that guard publishing (tag publish_guard) and
no unit tests (docs/performance.md). The others still run here: `dbt test` over a copy of the
session run's warehouse runs all of them (the unit tests on their own fixtures)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from assets.dbt import DBT_PROJECT_DIR, ensure_manifest


def test_every_data_test_and_unit_test_passes_on_the_session_run(pipeline_run, tmp_path):
    home, *_ = pipeline_run
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copyfile(home / "warehouse.duckdb", warehouse)
    manifest = json.loads(Path(ensure_manifest()).read_text())
    data_tests = {uid for uid, node in manifest["nodes"].items() if node["resource_type"] == "test"}
    unit_tests = set(manifest.get("unit_tests", {}))
    dbt = Path(sys.executable).parent / "dbt"
    target = tmp_path / "target"
    completed = subprocess.run(
        [str(dbt if dbt.exists() else "dbt"), "test", "--project-dir", str(DBT_PROJECT_DIR),
         "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(target), "--log-path", str(tmp_path / "logs"),
         "--log-level-file", "none", "--quiet"],
        env={**os.environ, "OUTREACH_WAREHOUSE": str(warehouse)}, capture_output=True, text=True)
    results = json.loads((target / "run_results.json").read_text())["results"]
    statuses = {r["unique_id"]: r["status"] for r in results}
    # Tests pass; hooks (the Spark target's on-run-start) succeed.
    failing = sorted(uid for uid, status in statuses.items() if status not in ("pass", "success"))
    assert completed.returncode == 0 and not failing, failing or completed.stdout[-2000:]
    assert data_tests and unit_tests
    assert data_tests | unit_tests <= set(statuses)
