"""Publishing writes complete versions only, and neutralizes spreadsheet formulas."""

from __future__ import annotations

import csv
from datetime import datetime, timezone

import duckdb
import pytest

from assets.publishing import latest_version, publish_version

AS_OF = datetime(2026, 11, 28, 17, tzinfo=timezone.utc)


def _tables(con, first_name="Ann"):
    con.execute(
        "create or replace table m as select 'c1' as contact_id, '+19195550142' as phone_e164, ? as first_name, "
        "'-Lee' as last_name, 'NC' as state, 'America/New_York' as timezone, '09:00' as window_start_local, "
        "'20:00' as window_end_local, 'everyone' as segment, 0.5 as score",
        [first_name],
    )
    con.execute("create or replace table d as select 'c1' as contact_id, '+19195550142' as phone_e164, true as included, []::varchar[] as rule_ids")


def _publish(con, root):
    return publish_version(con, published=root, list_name="l", members_table="m", decisions_table="d",
                           manifest_fields={"channel": "manual_call"}, as_of=AS_OF, expires_hours=72)


def test_formula_cells_are_neutralized_but_phones_kept(tmp_path):
    con = duckdb.connect()
    _tables(con, first_name="=HYPERLINK(\"x\")")
    version, manifest = _publish(con, tmp_path)
    rows = list(csv.DictReader((tmp_path / "l" / version / "contacts.csv").open()))
    assert rows[0]["first_name"].startswith("'=")
    assert rows[0]["last_name"] == "'-Lee"
    assert rows[0]["phone_e164"] == "+19195550142"
    assert manifest["row_count"] == 1 and manifest["expires_at"].startswith("2026-12-01")


def test_versions_are_new_and_latest_moves(tmp_path):
    con = duckdb.connect()
    _tables(con)
    first, _ = _publish(con, tmp_path)
    second, _ = _publish(con, tmp_path)
    assert first != second and latest_version(tmp_path / "l") == second


def test_failed_write_leaves_no_version_and_latest_untouched(tmp_path):
    con = duckdb.connect()
    _tables(con)
    first, _ = _publish(con, tmp_path)
    con.execute("drop table d")
    with pytest.raises(duckdb.Error):
        _publish(con, tmp_path)
    assert latest_version(tmp_path / "l") == first
    assert sorted(p.name for p in (tmp_path / "l").iterdir()) == sorted([first, "LATEST"])


def _modes(root):
    import stat

    return {p.relative_to(root).as_posix(): oct(stat.S_IMODE(p.stat().st_mode)) for p in [root, *root.rglob("*")]}


@pytest.mark.parametrize("mode, file_mode, dir_mode", [("private", "0o600", "0o700"), ("group", "0o640", "0o750")])
def test_published_files_get_the_publish_mode(tmp_path, monkeypatch, mode, file_mode, dir_mode):
    """Whatever the umask, private lists are the owner's only; `publish_mode: group` opens them to the group."""
    import os

    old = os.umask(0o022)  # a lax umask, as an old shell would leave it
    try:
        con = duckdb.connect()
        _tables(con)
        root = tmp_path / "published"
        version, _ = publish_version(con, published=root, list_name="l", members_table="m", decisions_table="d",
                                     manifest_fields={"channel": "manual_call"}, as_of=AS_OF, expires_hours=72,
                                     publish_mode=mode)
    finally:
        os.umask(old)
    modes = _modes(root)
    assert modes.pop(".") == dir_mode and modes.pop("l") == dir_mode and modes.pop(f"l/{version}") == dir_mode
    assert modes and set(modes.values()) == {file_mode}, modes


def test_leftovers_of_dead_runs_are_removed(tmp_path):
    from assets.publishing import remove_stale_leftovers

    con = duckdb.connect()
    _tables(con)
    version, _ = _publish(con, tmp_path)
    staging = tmp_path / "l" / ".tmp-20261101T000000Z-001-424242"
    staging.mkdir()
    (staging / "contacts.csv").write_text("contact_id,phone_e164\nc1,+19195550142\n")
    (tmp_path / "l" / ".LATEST.424242").write_text(version + "\n")
    assert remove_stale_leftovers(tmp_path) == ["l/.LATEST.424242", "l/.tmp-20261101T000000Z-001-424242"]
    assert sorted(p.name for p in (tmp_path / "l").iterdir()) == [version, "LATEST"]
    assert latest_version(tmp_path / "l") == version


def test_publish_fsyncs_the_list_folder_after_the_rename_and_the_pointer(tmp_path, monkeypatch):
    import assets.publishing as publishing

    synced = []
    monkeypatch.setattr(publishing, "fsync_dir", lambda path: synced.append(sorted(p.name for p in path.iterdir())))
    con = duckdb.connect()
    _tables(con)
    version, _ = _publish(con, tmp_path)
    # Once after the version folder is renamed into place, once after LATEST replaced the pointer.
    assert synced == [[version], [version, "LATEST"]]


@pytest.mark.parametrize("insertion_order", [True, False], ids=["insertion_order_kept", "insertion_order_off"])
def test_every_file_has_the_rows_best_score_first(tmp_path, insertion_order):
    """The rows are sorted once and every file is written from them: contacts.csv,
    contacts.parquet and profile_source.parquet all list the rows by score, best first, then by
    contact id, on a list big enough for DuckDB to scan it in parallel."""
    import pyarrow.parquet as pq

    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("set threads = 4")
    con.execute("create table m as select 'c' || lpad(cast(hash(i) % 1000000007 as varchar), 10, '0') || '-' || i as contact_id, "
                "'+1919555' || lpad(cast(i % 10000 as varchar), 4, '0') as phone_e164, 'Ann' as first_name, 'Lee' as last_name, "
                "'NC' as state, '27601' as zip5, 'v' || i as voter_id, 'America/New_York' as timezone, "
                "'09:00' as window_start_local, '20:00' as window_end_local, 'everyone' as segment, "
                "round((hash(i * 7) % 100) / 100.0, 2) as score from range(300000) t(i)")
    con.execute("create table d as select contact_id, phone_e164, true as included, []::varchar[] as rule_ids from m")
    con.execute("set preserve_insertion_order = true" if insertion_order else "set preserve_insertion_order = false")
    version, manifest = _publish(con, tmp_path / "published")
    folder = tmp_path / "published" / "l" / version
    expected = [row[0] for row in con.execute("select contact_id from m order by score desc, contact_id").fetchall()]
    with (folder / "contacts.csv").open(newline="") as handle:
        assert [row["contact_id"] for row in csv.DictReader(handle)] == expected
    assert pq.read_table(folder / "contacts.parquet").column("contact_id").to_pylist() == expected
    assert pq.read_table(folder / "profile_source.parquet").column("contact_id").to_pylist() == expected
    assert manifest["row_count"] == len(expected) == 300000
    assert con.execute("select count(*) from duckdb_tables() where table_name = '_publish_rows'").fetchone()[0] == 0
