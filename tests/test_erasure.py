"""Retention and erasure (issue 11 item 6): `outreach forget` and `outreach prune` on a real
HOME (a real Dagster run over a generated inbox, real DuckDB files), and rule C08 on the
next run: the forgotten number stays excluded on every list, and the person stays out of
the warehouse although the inbox still holds them."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pytest
import yaml

from assets.ledger.store import ident, ledger_path
from configuration.config_files import ConfigError, DEFAULTS_DIR, load_policy
from orchestration.home_lock import hold_home

from .conftest import AS_OF
from .conftest import open_db

ROOT = Path(__file__).resolve().parent.parent


def outreach(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "orchestration.cli", *args], capture_output=True, text=True,
                          env=env, timeout=600)


def run(inbox: Path, home: Path):
    from configuration.settings import RunSettings
    from orchestration.runner import run_pipeline

    return run_pipeline(RunSettings.build(inbox, home, AS_OF), out=io.StringIO())


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A HOME after one run, and the person to forget: a published contact whose last name
    occurs on exactly one line of the whole inbox (so any trace of it is theirs)."""
    from synthetic import generate_inbox

    inbox = tmp_path_factory.mktemp("inbox")
    generate_inbox(inbox, voters=400, seed=7, as_of=AS_OF)
    home = tmp_path_factory.mktemp("home")
    status, _ = run(inbox, home)
    assert status in (0, 3)
    lines = [line.lower() for path in inbox.rglob("*") if path.is_file()
             for line in path.read_bytes().decode("utf-8", "replace").splitlines()]
    with open_db(home / "warehouse.duckdb") as con:
        members = con.execute("select distinct phone_e164, last_name from main.list_members "
                              "where last_name is not null and length(last_name) >= 5 order by 1").fetchall()
    for phone, last_name in members:
        if sum(last_name.lower() in line for line in lines) == 1:
            return inbox, home, phone, last_name
    pytest.fail("no published contact with a last name unique in the inbox")


def spelled(phone: str) -> str:
    """The same number as a person would type it, not in E.164."""
    return f"({phone[2:5]}) {phone[5:8]}-{phone[8:]}"


def published_files(home: Path) -> list[Path]:
    return [path for path in (home / "published").rglob("*") if path.is_file()]


def files_holding(home: Path, text: str) -> list[str]:
    needle = text.lower().encode()
    return [str(path.relative_to(home)) for path in published_files(home) if needle in path.read_bytes().lower()]


def warehouse_cells_holding(warehouse: Path, text: str) -> list[str]:
    """Every table and column of the warehouse whose text holds `text` (case-insensitive)."""
    found = []
    with open_db(warehouse) as con:
        columns = con.execute(
            "select c.table_schema, c.table_name, c.column_name from information_schema.columns c "
            "join information_schema.tables t using (table_catalog, table_schema, table_name) "
            "where c.data_type = 'VARCHAR' and t.table_catalog = current_database()").fetchall()
        for schema, table, column in columns:
            hits = con.execute(f"select count(*) from {ident(schema)}.{ident(table)} "
                               f"where strpos(lower({ident(column)}), ?) > 0", [text.lower()]).fetchone()[0]
            if hits:
                found.append(f"{schema}.{table}.{column}")
    return found


def verify_manifests(home: Path) -> list[str]:
    problems = []
    for manifest_path in (home / "published").glob("*/*/manifest.json"):
        manifest = json.loads(manifest_path.read_text())
        folder = manifest_path.parent
        entries = dict(manifest["files"])
        for export in (manifest.get("exports") or {}).values():
            entries.update({part["name"]: part for part in export["parts"]})
        for name, entry in entries.items():
            data = (folder / name).read_bytes()
            if hashlib.sha256(data).hexdigest() != entry["sha256"] or len(data) != entry["bytes"]:
                problems.append(f"{folder.name}/{name}")
        rows = duckdb.execute("select count(*) from read_parquet(?)", [str(folder / "contacts.parquet")]).fetchone()[0]
        if rows != manifest["row_count"]:
            problems.append(f"{folder}: row_count {manifest['row_count']} != {rows}")
        decided = duckdb.execute("select count(*) filter (where not included) from read_parquet(?)",
                                 [str(folder / "decisions.parquet")]).fetchone()[0]
        if manifest.get("excluded") is not None and decided != manifest["excluded"]:
            problems.append(f"{folder}: excluded {manifest['excluded']} != {decided}")
    return problems


def latest_pointers(home: Path) -> dict[str, bytes]:
    return {str(path): path.read_bytes() for path in (home / "published").glob("*/LATEST")}


@pytest.fixture(scope="module")
def forgotten(world):
    inbox, home, phone, last_name = world
    assert files_holding(home, last_name), "the chosen person must be published before the erasure"
    assert warehouse_cells_holding(home / "warehouse.duckdb", last_name)
    before = latest_pointers(home)
    result = outreach("forget", spelled(phone), "--home", str(home))
    return inbox, home, phone, last_name, before, result


def test_forget_prints_counts_never_the_number_or_name(forgotten):
    _, _, phone, last_name, _, result = forgotten
    assert result.returncode == 0, result.stderr
    output = result.stdout + result.stderr
    assert phone not in output and phone[2:] not in output and phone[5:] not in output
    assert last_name.lower() not in output.lower()
    assert f"ending in {phone[-2:]}" in output
    assert re.search(r"published: [1-9]\d* versions rewritten", output)


def test_forget_removes_the_person_from_every_published_file(forgotten):
    _, home, phone, last_name, before, _ = forgotten
    assert files_holding(home, last_name) == []
    for path in published_files(home):
        if path.name.startswith(("contacts", "profile_source")) or path.suffix == ".csv":
            assert phone[2:].encode() not in path.read_bytes(), path
    assert latest_pointers(home) == before, "forget must not move LATEST"


def test_forget_keeps_the_decision_row_excluded_with_C08(forgotten):
    _, home, phone, _, _, _ = forgotten
    rows = duckdb.execute(
        "select included, rule_ids, evidence from read_parquet(?) where phone_e164 = ?",
        [str(home / "published" / "*" / "*" / "decisions.parquet"), phone]).fetchall()
    assert rows and all(not included and "C08" in rules for included, rules, _ in rows)
    assert all(any(e["kind"] == "erased_on_request" for e in evidence) for _, _, evidence in rows)


def test_manifests_still_verify_after_forget(forgotten):
    _, home, _, _, _, _ = forgotten
    assert verify_manifests(home) == []


def test_forget_removes_the_person_from_the_warehouse_and_its_bytes(forgotten):
    _, home, _, last_name, _, _ = forgotten
    warehouse = home / "warehouse.duckdb"
    assert warehouse_cells_holding(warehouse, last_name) == []
    # Deleted rows linger in a DuckDB file's free blocks; forget rewrites the file.
    assert last_name.lower().encode() not in warehouse.read_bytes().lower()
    with open_db(warehouse) as con:
        read, loaded, quarantined = con.execute(
            "select sum(rows_read), sum(rows_loaded), sum(rows_quarantined) from raw.ingest_files").fetchone()
    assert read == loaded + quarantined


def _erasures(home: Path) -> list[tuple]:
    with open_db(ledger_path(home)) as con:
        return con.execute("select phone_e164 from main.erasures").fetchall()


def test_forget_records_the_number_in_the_ledger(forgotten):
    _, home, phone, _, _, _ = forgotten
    assert _erasures(home) == [(phone,)]
    again = outreach("forget", phone, "--home", str(home))
    assert again.returncode == 0 and "already recorded" in again.stdout
    assert _erasures(home) == [(phone,)]


def test_next_run_excludes_the_number_with_C08_and_keeps_the_person_out(forgotten):
    inbox, home, phone, last_name, _, _ = forgotten
    status, outcomes = run(inbox, home)
    assert status in (0, 3)
    # The inbox still holds the person; the run excludes the number and sweeps the warehouse.
    assert files_holding(home, last_name) == []
    assert warehouse_cells_holding(home / "warehouse.duckdb", last_name) == []
    explained = outreach("explain", spelled(phone), "--home", str(home))
    assert explained.returncode == 0
    lines = [line for line in explained.stdout.splitlines() if not line.startswith(" ")]
    assert lines and not any(line.startswith("included") for line in lines)
    assert any("C08" in line and "forgotten" in line for line in lines), explained.stdout
    assert verify_manifests(home) == []


def test_forget_waits_for_no_run(world, tmp_path):
    _, home, phone, _, = world
    with hold_home(home):
        result = outreach("forget", phone, "--home", str(home))
    assert result.returncode == 2
    assert "another run holds HOME" in result.stderr


def test_forget_refuses_a_number_it_cannot_read(world):
    _, home, _, _ = world
    result = outreach("forget", "not a phone", "--home", str(home))
    assert result.returncode == 2 and "not a phone number" in result.stderr


# --- prune ---------------------------------------------------------------------------------


def _age(version_dir: Path, published_days_ago: float, expired: bool) -> None:
    manifest_path = version_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    now = datetime.now(timezone.utc)
    manifest["published_at"] = (now - timedelta(days=published_days_ago)).isoformat()
    manifest["expires_at"] = (now + timedelta(days=-1 if expired else 1)).isoformat()
    manifest_path.write_text(json.dumps(manifest))


def test_prune_removes_old_versions_keeps_latest_unexpired_and_the_ledger(world, tmp_path):
    _, source_home, _, _ = world
    home = tmp_path / "home"
    shutil.copytree(source_home / "published", home / "published")
    shutil.copytree(source_home / "ledger", home / "ledger")
    list_dir = sorted(p for p in (home / "published").iterdir() if p.is_dir())[0]
    latest = (list_dir / "LATEST").read_text().strip()
    for name, days, expired in (("20200101T000000Z-001", 40, True), ("20200101T000000Z-002", 40, False),
                                ("20200101T000000Z-003", 10, True)):
        shutil.copytree(list_dir / latest, list_dir / name)
        _age(list_dir / name, days, expired)
    _age(list_dir / latest, 40, True)  # old, but LATEST
    policy = yaml.safe_load((DEFAULTS_DIR / "policy.yaml").read_text())
    policy["retention"] = {"published_versions_days": 30}
    policy_path = tmp_path / "policy.yaml"
    policy_path.write_text(yaml.safe_dump(policy))
    ledger_before = hashlib.sha256(ledger_path(home).read_bytes()).hexdigest()

    dry = outreach("prune", "--home", str(home), "--policy", str(policy_path), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "would delete 1 versions" in dry.stdout
    assert (list_dir / "20200101T000000Z-001").is_dir()

    done = outreach("prune", "--home", str(home), "--policy", str(policy_path))
    assert done.returncode == 0, done.stderr
    assert "deleted 1 versions of 1 lists" in done.stdout
    assert not (list_dir / "20200101T000000Z-001").exists()
    assert (list_dir / "20200101T000000Z-002").is_dir(), "an unexpired version is kept (R13 counts it)"
    assert (list_dir / "20200101T000000Z-003").is_dir(), "a version within retention is kept"
    assert (list_dir / latest / "manifest.json").is_file() and (list_dir / "LATEST").read_text().strip() == latest
    assert not [p for p in list_dir.iterdir() if p.name.startswith(".")]
    assert hashlib.sha256(ledger_path(home).read_bytes()).hexdigest() == ledger_before


# --- the retention policy --------------------------------------------------------------------


def _policy_with(tmp_path: Path, retention) -> Path:
    policy = yaml.safe_load((DEFAULTS_DIR / "policy.yaml").read_text())
    policy["retention"] = retention
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(policy))
    return path


def test_default_policy_keeps_published_versions_five_years_and_has_C08():
    policy = load_policy(DEFAULTS_DIR / "policy.yaml")
    assert policy.published_versions_days == 1826
    assert "C08" in policy.data["rules"]


@pytest.mark.parametrize("retention, key", [
    ({"published_versions_days": 0}, "retention.published_versions_days"),
    ({"published_versions_days": "a year"}, "retention.published_versions_days"),
    ({"published_version_days": 30}, "retention.published_version_days"),
    ([30], "retention"),
])
def test_bad_retention_is_refused_naming_the_key(tmp_path, retention, key):
    with pytest.raises(ConfigError, match=re.escape(key)):
        load_policy(_policy_with(tmp_path, retention))


def test_a_policy_without_C08_is_refused(tmp_path):
    policy = yaml.safe_load((DEFAULTS_DIR / "policy.yaml").read_text())
    del policy["rules"]["C08"]
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(policy))
    with pytest.raises(ConfigError, match="C08"):
        load_policy(path)


def test_the_scrub_blanks_every_mobilize_row_of_the_person_and_those_naming_the_number_among_others():
    """The staging view shows an attendance's latest version and its primary number only: an
    older version of the same person, and a row giving the number as another number, are the
    person's too. Someone else's row is left alone."""
    from assets.retention.warehouse_scrub import scrub_warehouse

    con = duckdb.connect()
    con.execute("create schema raw")
    con.execute("create table raw.volunteers (attendance_id varchar, person_id varchar, given_name varchar, "
                "phone varchar, other_phones varchar, _file varchar, _line bigint)")
    con.execute("insert into raw.volunteers values "
                "('1', '7', 'Ada', '919-555-0142', null, 'p1.json', 1), "
                "('1', '7', 'Ada', '919-555-0142', null, 'p2.json', 1), "
                "('2', '8', 'Bea', '202-555-0100', '202-555-0101' || chr(10) || '+1 (919) 555-0142', 'p2.json', 2), "
                "('3', '9', 'Cy', '202-555-0199', '919-555-0143', 'p2.json', 3)")
    con.execute("create table main.stg_volunteers as "
                "select '+19195550142' as phone_e164, 'p2.json' as source_file, 1::bigint as source_line")
    counts = scrub_warehouse(con, ["+19195550142"])
    assert counts["raw_rows"] == 3
    assert con.execute("select _file, _line from raw.volunteers where given_name is not null").fetchall() == [
        ("p2.json", 3)]
