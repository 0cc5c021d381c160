"""Issue 11 as an attacker and a tired operator try it, on real `outreach run` processes:

- a HOME whose name is an SQL injection (`h'; copy (select 42) to '.../pwned.csv'; --`) under a
  folder named `jane's campaign` writes nothing outside HOME and publishes like any home;
- nothing in HOME is readable by group or others (publish_mode: private, the default);
- no name or phone of the inbox reaches stdout, stderr, Dagster's run storage (DAGSTER_HOME) or
  dbt's logs, over a run with a list blocked by a gate and a run whose voter file stops ingest
  with a line DuckDB quotes in its error.

Two real runs over 300 synthetic voters, shared by the module.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import AS_OF

ROOT = Path(__file__).resolve().parent.parent
# Planted people, spelled as written in the inbox; names no code or library holds.
PLANTED = [("QUIMBYZELDA", "ORTRUDANNE", "9197770142"), ("VOSKRESENSKAYA", "PHILOMENA", "9197770143")]
LONG_LINE_PERSON = ("HARGREAVESWYN", "EULALIETTE", "9197770144")


def outreach(*args: str, env: dict | None = None, timeout: int = 1200) -> subprocess.CompletedProcess:
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([sys.executable, "-m", "orchestration.cli", *args], capture_output=True, text=True,
                          cwd=ROOT, env=environment, timeout=timeout)


def _nc_row(header: list[str], template: list[str], last: str, first: str, phone: str) -> str:
    row = list(template)
    row[header.index("last_name")], row[header.index("first_name")] = last, first
    row[header.index("full_phone_number")] = phone
    # Their own registration, or they would be the template voter twice over.
    row[header.index("ncid")], row[header.index("voter_reg_num")] = f"ZZ{phone[-6:]}", f"99{phone[-8:]}"
    return "\t".join(row)


def _plant_people(inbox: Path, long_line: bool) -> None:
    """Planted voters in a new NC file; with `long_line`, one of them on a 3 MB line."""
    lines = (inbox / "voters" / "ncvoter1.txt").read_text().splitlines()
    header, template = lines[0].split("\t"), lines[1].split("\t")
    rows = [_nc_row(header, template, *person) for person in PLANTED]
    if long_line:
        person = _nc_row(header, template, *LONG_LINE_PERSON).split("\t")
        person[header.index("mail_addr1")] = "X" * 3_000_000
        rows.insert(1, "\t".join(person))
    (inbox / "voters" / "ncvoter99.txt").write_text("\n".join([lines[0], *rows]) + "\n")
    with (inbox / "opt_outs" / "opt_outs.csv").open("a") as handle:
        handle.write(f"({PLANTED[0][2][:3]}) {PLANTED[0][2][3:6]}-{PLANTED[0][2][6:]},2026-01-02T10:00:00-05:00,all,web_form,\n")


def _secrets(inbox: Path) -> list[str]:
    """Names and phones as written in the inbox, and the phones as digits."""
    found = set()
    for last, first, phone in [*PLANTED, LONG_LINE_PERSON]:
        found |= {last, first, phone, f"({phone[:3]}) {phone[3:6]}-{phone[6:]}"}
    for line in (inbox / "opt_outs" / "opt_outs.csv").read_text().splitlines()[1:8]:
        written = line.split(",")[0]
        found |= {written, re.sub(r"\D", "", written)[-10:]}
    return sorted(found)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    from synthetic import generate_inbox

    base = tmp_path_factory.mktemp("security")
    inbox = base / "inbox"
    generate_inbox(inbox, voters=300, seed=7, as_of=AS_OF)
    _plant_people(inbox, long_line=False)
    broken = base / "broken_inbox"
    shutil.copytree(inbox, broken)
    _plant_people(broken, long_line=True)
    dagster_home = base / "dagster_home"
    dagster_home.mkdir()
    env = {"DAGSTER_HOME": str(dagster_home)}
    home = base / "jane's campaign" / f"h'; copy (select 42) to '{base}/pwned.csv'; --"
    published = outreach("run", "--inbox", str(inbox), "--home", str(home), "--as-of", AS_OF.isoformat(), env=env)
    failed_home = base / "failed home"
    failed = outreach("run", "--inbox", str(broken), "--home", str(failed_home), "--as-of", AS_OF.isoformat(), env=env)
    return {"base": base, "home": home, "published": published, "failed_home": failed_home, "failed": failed,
            "dagster_home": dagster_home, "secrets": _secrets(broken)}


def test_injected_home_writes_nothing_outside_home_and_publishes_like_any_home(runs):
    result = runs["published"]
    assert result.returncode in (0, 3), result.stdout[-3000:] + result.stderr[-3000:]
    assert "Traceback" not in result.stdout + result.stderr
    assert not list(runs["base"].rglob("pwned.csv"))
    assert sorted(p.name for p in runs["base"].iterdir()) == ["broken_inbox", "dagster_home", "failed home", "inbox",
                                                             "jane's campaign"]
    lines = {line.split()[0]: line for line in result.stdout.splitlines() if re.match(r"^\w+ +\w+ +[\d,-]+ +(PUBLISHED|BLOCKED)", line)}
    assert len(lines) == 16
    # At 300 voters one list has no rows and its gate blocks it; every other list publishes.
    blocked = {name: line for name, line in lines.items() if "BLOCKED" in line}
    assert list(blocked) == ["everyone_robocall_wireless"] and "rows_above_zero" in blocked["everyone_robocall_wireless"]
    for name in lines:
        if name not in blocked:
            assert (runs["home"] / "published" / name / "LATEST").is_file()


def _loose(home: Path) -> list[str]:
    loose = []
    for path in [home, *home.rglob("*")]:
        if not path.is_symlink() and stat.S_IMODE(path.stat().st_mode) & 0o077:
            loose.append(f"{oct(stat.S_IMODE(path.stat().st_mode))} {path.relative_to(home.parent)}")
    return loose


def test_nothing_in_home_is_readable_by_group_or_others(runs):
    home = runs["home"]
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    assert (home / "warehouse.duckdb").is_file() and (home / "ledger" / "ledger.duckdb").is_file()
    assert (home / "dbt_target").is_dir() and list((home / "published").rglob("contacts.csv"))
    assert _loose(home) == []
    assert _loose(runs["failed_home"]) == []


def test_failing_run_names_the_file_without_a_traceback(runs):
    result = runs["failed"]
    assert result.returncode in (2, 3), result.stdout[-3000:] + result.stderr[-3000:]
    assert "Traceback" not in result.stdout + result.stderr
    if result.returncode == 2:  # the long line stops ingest (until over-long lines are quarantined)
        assert "voters/ncvoter99.txt" in result.stdout + result.stderr


def _dagster_texts(dagster_home: Path) -> dict[str, bytes]:
    """Every file under DAGSTER_HOME as bytes, and every event of every run as Dagster returns it."""
    import dagster as dg

    texts = {str(path): path.read_bytes() for path in dagster_home.rglob("*") if path.is_file()}
    for database in dagster_home.rglob("*.db"):
        with sqlite3.connect(database) as con:
            for (table,) in con.execute("select name from sqlite_master where type = 'table'").fetchall():
                rows = con.execute(f'select * from "{table}"').fetchall()
                texts[f"{database}:{table}"] = repr(rows).encode()
    os.environ["DAGSTER_HOME"], previous = str(dagster_home), os.environ.get("DAGSTER_HOME")
    try:
        with dg.DagsterInstance.get() as instance:
            runs = instance.get_runs()
            assert len(runs) == 2
            for run in runs:
                records = instance.get_records_for_run(run.run_id, limit=100_000).records
                texts[f"events of {run.run_id}"] = "\n".join(repr(r.event_log_entry) for r in records).encode()
    finally:
        if previous is None:
            del os.environ["DAGSTER_HOME"]
        else:
            os.environ["DAGSTER_HOME"] = previous
    return texts


def test_no_name_or_phone_in_output_dagster_storage_or_dbt_logs(runs):
    texts = {"stdout": runs["published"].stdout.encode(), "stderr": runs["published"].stderr.encode(),
             "failed stdout": runs["failed"].stdout.encode(), "failed stderr": runs["failed"].stderr.encode()}
    texts.update(_dagster_texts(runs["dagster_home"]))
    assert any(b"STEP_FAILURE" in text or b"step_failure" in text.lower() for text in texts.values())
    for home in (runs["home"], runs["failed_home"]):
        texts.update({str(p): p.read_bytes() for p in (home / "dbt_target").rglob("*") if p.is_file()})
    texts.update({str(p): p.read_bytes() for p in (ROOT / "dbt_project" / "logs").rglob("*") if p.is_file()})
    leaks = sorted({f"{secret!r} in {where}" for where, text in texts.items() for secret in runs["secrets"]
                    if secret.encode() in text})
    assert leaks == []


def test_the_scan_reads_the_run_storage(runs):
    """The scan is not vacuous: the planted names are in the inbox it takes them from, and the
    run storage it reads holds both runs' events (the failed run's error names the file)."""
    secrets = runs["secrets"]
    assert {"QUIMBYZELDA", "(919) 777-0142", "HARGREAVESWYN"} <= set(secrets)
    texts = _dagster_texts(runs["dagster_home"])
    assert any(b"ingest_voters" in text for text in texts.values())
    if runs["failed"].returncode == 2:
        assert any(b"voters/ncvoter99.txt" in text for text in texts.values())
