"""One run at a time per home (issue 9 item 13): real processes holding and racing for
HOME/.outreach.lock, which the kernel releases on any exit, kill -9 included."""

from __future__ import annotations

import csv
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from orchestration.home_lock import LOCK_NAME, HomeBusyError, hold_home, holds_home

from .conftest import AS_OF, open_db

BIN = Path(sys.executable).parent
OUTREACH = str(BIN / "outreach")
HOLDER = (
    "import sys, time\n"
    "from pathlib import Path\n"
    "from orchestration.home_lock import hold_home\n"
    "hold = hold_home(Path(sys.argv[1]))\n"
    "hold.__enter__()\n"
    "print('held', flush=True)\n"
    "time.sleep(600)\n"
)


def _start_holder(home: Path) -> subprocess.Popen:
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(home)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    return holder


def _kill(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


@pytest.fixture
def holder(tmp_path):
    home = tmp_path / "home"
    process = _start_holder(home)
    yield home, process
    _kill(process)


def test_second_run_exits_2_at_once_and_publishes_nothing(holder, tmp_path):
    home, process = holder
    inbox = tmp_path / "inbox"
    (inbox / "opt_outs").mkdir(parents=True)
    started = time.monotonic()
    result = subprocess.run([OUTREACH, "run", "--inbox", str(inbox), "--home", str(home), "--as-of", AS_OF.isoformat()],
                            capture_output=True, text=True, timeout=120)
    elapsed = time.monotonic() - started
    assert result.returncode == 2, result.stdout + result.stderr
    assert elapsed < 15, f"the second run took {elapsed:.1f}s to give up"
    assert "another run holds HOME" in result.stderr
    assert str(home.resolve()) in result.stderr and f"pid {process.pid}" in result.stderr
    assert result.stdout == ""
    assert sorted(p.name for p in home.iterdir()) == [LOCK_NAME]


def test_kill_9_frees_the_lock(holder):
    home, process = holder
    with pytest.raises(HomeBusyError, match=f"pid {process.pid}"):
        with hold_home(home):
            pass
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    with hold_home(home):
        assert holds_home(home)
        assert (home / LOCK_NAME).read_text().strip() == str(os.getpid())
    assert not holds_home(home)


def test_one_process_may_nest_holds_and_releases_on_the_outermost(tmp_path):
    home = tmp_path / "home"
    with hold_home(home):
        with hold_home(home / "." ):
            assert holds_home(home)
        assert holds_home(home)
        probe = subprocess.run([sys.executable, "-c", HOLDER.replace("time.sleep(600)", ""), str(home)],
                               capture_output=True, text=True, timeout=60)
        assert probe.returncode != 0 and "another run holds HOME" in probe.stderr
    probe = subprocess.run([sys.executable, "-c", HOLDER.replace("time.sleep(600)", ""), str(home)],
                           capture_output=True, text=True, timeout=60)
    assert probe.returncode == 0, probe.stderr


def test_dagster_runs_take_the_lock(holder, tmp_path):
    """A run the schedule, the sensor or the UI launches goes through the same resource."""
    from configuration.settings import RunSettings
    from orchestration.location import ALL_ASSETS_JOB, build_definitions

    home, process = holder
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    settings = RunSettings.build(inbox, home, AS_OF)
    job = build_definitions(settings).resolve_job_def(ALL_ASSETS_JOB)
    result = job.execute_in_process(raise_on_error=False)
    assert not result.success
    messages = " ".join(str(event.message or "") + str(getattr(event, "event_specific_data", "") or "")
                        for event in result.all_events)
    assert "another run holds HOME" in messages and f"pid {process.pid}" in messages
    assert not (home / "warehouse.duckdb").exists() and not (home / "published").exists()


def _published_phones(home: Path) -> dict[str, set[str]]:
    phones = {}
    for list_dir in sorted((home / "published").iterdir()):
        latest = list_dir / "LATEST"
        if latest.exists():
            with (list_dir / latest.read_text().strip() / "contacts.csv").open(newline="") as handle:
                phones[list_dir.name] = {row["phone_e164"] for row in csv.DictReader(handle)}
    return phones


def test_a_run_that_starts_while_another_runs_fails_at_once(tmp_path):
    """The race of issue 9 item 13: B (an inbox without opt_outs/) starts once A has ingested."""
    inbox_a, inbox_b, home = tmp_path / "inbox_a", tmp_path / "inbox_b", tmp_path / "home"
    generated = subprocess.run([OUTREACH, "generate", "--out", str(inbox_a), "--voters", "2000", "--seed", "3",
                                "--as-of", AS_OF.isoformat()], capture_output=True, text=True, timeout=300)
    assert generated.returncode == 0, generated.stderr
    shutil.copytree(inbox_a, inbox_b)
    shutil.rmtree(inbox_b / "opt_outs")

    run_a = subprocess.Popen([OUTREACH, "run", "--inbox", str(inbox_a), "--home", str(home), "--as-of", AS_OF.isoformat()],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    ingested = threading.Event()

    def drain():
        for line in run_a.stdout:
            lines.append(line)
            if "ingest_opt_outs: done" in line:
                ingested.set()

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        assert ingested.wait(timeout=300), "".join(lines)
        started = time.monotonic()
        run_b = subprocess.run([OUTREACH, "run", "--inbox", str(inbox_b), "--home", str(home), "--as-of", AS_OF.isoformat()],
                               capture_output=True, text=True, timeout=120)
        elapsed = time.monotonic() - started
        assert run_a.poll() is None, "A ended before B was started; the race did not happen"
        assert run_b.returncode == 2, run_b.stdout + run_b.stderr
        assert elapsed < 15
        assert "another run holds HOME" in run_b.stderr and f"pid {run_a.pid}" in run_b.stderr
        status_a = run_a.wait(timeout=600)
    finally:
        _kill(run_a)
        reader.join(timeout=30)
    output = "".join(lines)
    assert status_a in (0, 3), output
    assert "PUBLISHED" in output

    con = open_db(str(home / "warehouse.duckdb"))
    try:
        raw_opt_outs = con.execute("select count(*) from raw.opt_outs").fetchone()[0]
        opted = {row[0] for row in con.execute("select phone_e164 from main.int_opt_outs").fetchall()}
    finally:
        con.close()
    assert raw_opt_outs > 0 and opted, "A's opt-outs were replaced under it"
    published = _published_phones(home)
    assert published
    assert {name: sorted(phones & opted) for name, phones in published.items() if phones & opted} == {}
    # Only A published: one version per list.
    for list_dir in (home / "published").iterdir():
        versions = [p for p in list_dir.iterdir() if p.is_dir()]
        assert len(versions) == 1, list_dir.name
