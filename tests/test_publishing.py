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
