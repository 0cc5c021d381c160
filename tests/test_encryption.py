"""Encryption at rest (docs/security.md "Keys"): the warehouse and the ledger of a real run
hold no name or phone number in their bytes; no key, a key readable by others or another
home's key stop a run before it writes anything; `outreach init`, `outreach sql` and
`outreach rekey` as a user runs them."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from assets import encryption
from assets.ledger import ledger_path
from assets.sql_text import sql_string

from .conftest import TEST_KEY, open_db

REPO = Path(__file__).resolve().parent.parent


def _cli(*args, env_extra: dict | None = None, without_key: bool = False, stdin: str | None = None):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    if without_key:
        env.pop(encryption.KEY_ENV, None)
        env.pop(encryption.DBT_KEY_ENV, None)
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "orchestration.cli", *map(str, args)], capture_output=True,
                          text=True, env=env, input=stdin, timeout=600)


def _known_values(home: Path) -> list[str]:
    """Names and numbers the run holds: published members' first and last names and phones."""
    with open_db(home / "warehouse.duckdb") as con:
        rows = con.execute(
            "select distinct first_name, last_name, phone_e164 from main.list_members "
            "where length(first_name) >= 5 and length(last_name) >= 5 limit 40").fetchall()
        opt_outs = [row[0] for row in con.execute(
            "select distinct phone from ledger.opt_outs where phone is not null limit 20").fetchall()]
    values = [v for row in rows for v in row] + opt_outs
    assert len(values) > 40
    return values


def _found(data: bytes, values: list[str]) -> list[str]:
    return [v for v in values if v.encode() in data or v.lstrip("+1").encode() in data]


def _files(home: Path) -> list[Path]:
    candidates = [home / "warehouse.duckdb", home / "warehouse.duckdb.wal", ledger_path(home),
                  ledger_path(home).with_name(ledger_path(home).name + ".wal")]
    return [path for path in candidates if path.is_file()]


def test_no_name_or_number_in_the_bytes_of_the_warehouse_or_the_ledger(pipeline_run, tmp_path):
    home, status, _, _ = pipeline_run
    assert status == 0
    values = _known_values(home)
    for path in _files(home):
        assert _found(path.read_bytes(), values) == [], f"plain personal data in {path.name}"
    # The scan does find them in a plain copy of the same data: it is not blind.
    plain = tmp_path / "plain.duckdb"
    with open_db(home / "warehouse.duckdb") as con:
        con.execute(f"attach {sql_string(str(plain))} as plain")
        con.execute("copy from database warehouse to plain")
        con.execute("detach plain")
    assert len(_found(plain.read_bytes(), values)) > len(values) // 2


def test_the_files_are_encrypted_and_the_key_is_needed(pipeline_run):
    home, *_ = pipeline_run
    for path in (home / "warehouse.duckdb", ledger_path(home)):
        con = duckdb.connect()
        with pytest.raises(duckdb.Error):
            con.execute(f"attach {sql_string(str(path))} as plain (read_only)")
        con.close()
    with open_db(home / "warehouse.duckdb") as con:
        encrypted = con.execute(
            "select encrypted from duckdb_databases() where database_name = 'warehouse'").fetchone()[0]
    assert encrypted is True


def test_a_run_without_a_key_exits_2_says_how_and_writes_nothing(small_inbox, tmp_path):
    home = tmp_path / "new_home"
    result = _cli("run", "--inbox", small_inbox, "--home", home, without_key=True)
    assert result.returncode == 2, result.stderr
    assert f"outreach init --home {home}" in result.stderr and "OUTREACH_KEY" in result.stderr
    assert "Traceback" not in result.stderr
    assert not home.exists()


def test_a_key_file_readable_by_others_or_a_short_key_is_refused(small_inbox, tmp_path):
    home = tmp_path / "home"
    encryption.write_key_file(home)
    os.chmod(encryption.key_path(home), 0o644)
    result = _cli("run", "--inbox", small_inbox, "--home", home, without_key=True)
    assert result.returncode == 2 and "chmod 600" in result.stderr
    assert sorted(p.name for p in home.iterdir()) == [".outreach.key"]
    result = _cli("run", "--inbox", small_inbox, "--home", home, env_extra={"OUTREACH_KEY": "short"})
    assert result.returncode == 2 and "shorter than" in result.stderr and "short\n" not in result.stderr


def test_another_homes_key_stops_the_run_before_it_writes(pipeline_run, small_inbox, tmp_path):
    home, *_ = pipeline_run
    copy = tmp_path / "home"
    shutil.copytree(home, copy, ignore=shutil.ignore_patterns("published", "dbt_target", "cache"))
    before = {p: p.stat().st_mtime_ns for p in copy.rglob("*") if p.is_file()}
    wrong = "another-homes-key-0123456789abcdefghijkl"
    result = _cli("run", "--inbox", small_inbox, "--home", copy, env_extra={"OUTREACH_KEY": wrong})
    assert result.returncode == 2, result.stderr
    assert "the key does not open" in result.stderr and wrong not in result.stderr + result.stdout
    assert {p: p.stat().st_mtime_ns for p in copy.rglob("*") if p.is_file()} == before


def test_init_makes_a_private_home_and_key_once(tmp_path):
    home = tmp_path / "fresh"
    result = _cli("init", "--home", home, without_key=True)
    assert result.returncode == 0, result.stderr
    key_file = encryption.key_path(home)
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_text().strip()
    assert len(key) >= encryption.MIN_KEY_CHARS and key not in result.stdout
    again = _cli("init", "--home", home, without_key=True)
    assert again.returncode == 0 and "already has a key" in again.stdout
    assert key_file.read_text().strip() == key


def test_init_encrypts_a_ledger_written_before_encryption(tmp_path):
    home = tmp_path / "old"
    ledger = ledger_path(home)
    ledger.parent.mkdir(parents=True)
    with duckdb.connect(str(ledger)) as con:
        con.execute("create table opt_outs as select '+19195550142' as phone, 'Quintessa' as first_name")
    result = _cli("init", "--home", home, without_key=True)
    assert result.returncode == 0, result.stderr
    assert "encrypted" in result.stdout
    assert b"9195550142" not in ledger.read_bytes() and b"Quintessa" not in ledger.read_bytes()
    con = encryption.new_connection(tmp_path / "spill")
    encryption.attach(con, ledger, "l", encryption.key_path(home).read_text().strip(), read_only=True)
    assert con.execute("select phone, first_name from l.opt_outs").fetchall() == [("+19195550142", "Quintessa")]
    con.close()


def test_outreach_sql_queries_the_encrypted_warehouse_and_ledger(pipeline_run):
    home, *_ = pipeline_run
    with open_db(home / "warehouse.duckdb") as con:
        members = con.execute("select count(*) from main.list_members").fetchone()[0]
    result = _cli("sql", "--home", home, "-c", "select count(*) as n from main.list_members")
    assert result.returncode == 0, result.stderr
    assert str(members) in result.stdout
    piped = _cli("sql", "--home", home, stdin="select count(*) as n\nfrom outreach_ledger.main.opt_outs;\n")
    assert piped.returncode == 0, piped.stderr
    assert "│" in piped.stdout
    read_only = _cli("sql", "--home", home, "-c", "create table main.x as select 1")
    assert read_only.returncode == 1 and "read-only" in read_only.stderr.lower()
    no_key = _cli("sql", "--home", home, "-c", "select 1", without_key=True)
    assert no_key.returncode == 2 and "outreach init" in no_key.stderr


def test_rekey_reencrypts_both_files_with_a_new_key(pipeline_run, tmp_path):
    home, *_ = pipeline_run
    copy = tmp_path / "home"
    shutil.copytree(home, copy, ignore=shutil.ignore_patterns("published", "dbt_target", "cache"))
    encryption.write_key_file(copy, TEST_KEY)
    with open_db(copy / "warehouse.duckdb") as con:
        members = con.execute("select count(*) from main.list_members").fetchone()[0]
    result = _cli("rekey", "--home", copy, without_key=True)
    assert result.returncode == 0, result.stderr
    new_key = encryption.key_path(copy).read_text().strip()
    assert new_key != TEST_KEY and new_key not in result.stdout
    assert not (copy / ".outreach.key.next").exists()
    for path in (copy / "warehouse.duckdb", ledger_path(copy)):
        con = encryption.new_connection(tmp_path / "spill")
        with pytest.raises(duckdb.Error):
            encryption.attach(con, path, "old", TEST_KEY, read_only=True)
        encryption.attach(con, path, "new", new_key, read_only=True)
        con.close()
    con = encryption.new_connection(tmp_path / "spill")
    encryption.attach(con, copy / "warehouse.duckdb", "w", new_key, read_only=True)
    assert con.execute("select count(*) from w.main.list_members").fetchone()[0] == members
    con.close()
