"""Crash hygiene (issue 11, item 4), on real processes:

- `kill -9` of `outreach run` while `dbt build` runs takes dbt down with it (it would otherwise
  run on under init, holding the warehouse's DuckDB lock);
- the next run removes what dead runs left half-published (`.tmp-*` version folders holding
  whole lists, `.LATEST.<pid>` pointer files) and succeeds;
- a warehouse held open by another process stops the run with exit 2 and a clear message,
  not a traceback.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import AS_OF
from .conftest import open_db

ROOT = Path(__file__).resolve().parent.parent


def _env() -> dict:
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    environment.pop("DAGSTER_HOME", None)
    return environment


def _run_command(inbox: Path, home: Path) -> list[str]:
    return [sys.executable, "-m", "orchestration.cli", "run", "--inbox", str(inbox), "--home", str(home),
            "--as-of", AS_OF.isoformat()]


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry))
    return found


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture(scope="module")
def inbox(tmp_path_factory) -> Path:
    from synthetic import generate_inbox

    folder = tmp_path_factory.mktemp("crash_inbox")
    generate_inbox(folder, voters=300, seed=7, as_of=AS_OF)
    return folder


def test_kill_9_during_dbt_takes_dbt_down_and_the_next_run_cleans_up(inbox, tmp_path):
    home = tmp_path / "home"
    # What a run killed mid-publish leaves: a version folder holding a whole list, a pointer file.
    stale = home / "published" / "everyone_calls" / ".tmp-20261101T000000Z-001-424242"
    stale.mkdir(parents=True)
    (stale / "contacts.csv").write_text("contact_id,phone_e164,first_name\nc1,+19195550142,LORI\n")
    pointer = home / "published" / "everyone_calls" / ".LATEST.424242"
    pointer.write_text("20261101T000000Z-001\n")

    run = subprocess.Popen(_run_command(inbox, home), cwd=ROOT, env=_env(), stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, start_new_session=True)
    dbt = None
    deadline = time.monotonic() + 900
    try:
        while dbt is None and time.monotonic() < deadline and run.poll() is None:
            dbt = next((pid for pid in _children(run.pid) if " build" in _cmdline(pid) and "dbt" in _cmdline(pid)), None)
            time.sleep(0.2)
        assert dbt is not None, "dbt build never started under the run"
        time.sleep(1.0)  # dbt is at work on the warehouse
        assert _alive(dbt)
        os.kill(run.pid, signal.SIGKILL)
        run.wait(timeout=30)
        gone_by = time.monotonic() + 10
        while _alive(dbt) and time.monotonic() < gone_by:
            time.sleep(0.1)
        assert not _alive(dbt), f"dbt (pid {dbt}) outlived the killed run: {_cmdline(dbt)}"
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait()
        if dbt is not None and _alive(dbt):
            os.kill(dbt, signal.SIGKILL)

    after = subprocess.run(_run_command(inbox, home), cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=1200)
    assert after.returncode in (0, 3), after.stdout[-3000:] + after.stderr[-3000:]
    assert "Traceback" not in after.stdout + after.stderr
    assert "PUBLISHED" in after.stdout
    assert not stale.exists() and not pointer.exists()
    assert not [p for p in (home / "published").rglob(".tmp-*")] and not list((home / "published").rglob(".LATEST.*"))


def test_a_warehouse_held_open_elsewhere_stops_the_run_with_exit_2(inbox, tmp_path):
    import duckdb

    home = tmp_path / "home"
    home.mkdir()
    open_db(home / "warehouse.duckdb", read_only=False).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from tests.conftest import open_db; "
         "c = open_db(sys.argv[1], read_only=False); print('open', flush=True); time.sleep(600)",
         str(home / "warehouse.duckdb")], stdout=subprocess.PIPE, text=True, cwd=ROOT, env=_env())
    try:
        assert holder.stdout.readline().strip() == "open"
        result = subprocess.run(_run_command(inbox, home), cwd=ROOT, env=_env(), capture_output=True, text=True,
                                timeout=900)
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 2, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Traceback" not in result.stdout + result.stderr
    assert f"process {holder.pid}" in result.stderr and "warehouse.duckdb" in result.stderr
