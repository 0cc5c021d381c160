"""Export profiles (issue 10 item 5): each tool's columns and spellings from one vectorized
render, parts at the tool's row limit, and the files and checksums of a published version."""

from __future__ import annotations

import csv
import hashlib
import json
from datetime import datetime, timezone

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from assets.exports import (
    CONTACT_COLUMNS,
    PROFILE_NAMES,
    PROFILES,
    SOURCE_COLUMNS,
    profile_allows_channel,
    profile_max_rows,
    profile_columns,
    render_profile,
    write_profile_parts,
)
from assets.publishing import publish_version
from configuration.config_files import EXPORT_PROFILES, SMS_EXPORT_PROFILES

AS_OF = datetime(2026, 11, 28, 17, tzinfo=timezone.utc)
# Address-like fields no profile may carry (data minimization).
ADDRESS_WORDS = ("address", "street", "city", "res_", "mail")


def _source(rows: int = 3) -> pa.Table:
    first = ["LORI", "o'brien", "McDonald", None, "=cmd()"]
    last = ["O'BRIEN", "SMITH-JONES", "DeShawn", "Lee", "-2+3"]
    return pa.table({
        "contact_id": [f"c{i}" for i in range(rows)],
        "phone_e164": [f"+1919555{i:04d}" for i in range(rows)],
        "first_name": [first[i % len(first)] for i in range(rows)],
        "last_name": [last[i % len(last)] for i in range(rows)],
        "state": ["NC"] * rows,
        "zip5": [None if i == 1 else "27601" for i in range(rows)],
        "voter_id": [None if i % 2 else f"AA{i}" for i in range(rows)],
        "timezone": ["America/New_York"] * rows,
        "window_start_local": ["09:00"] * rows,
        "window_end_local": ["20:00"] * rows,
        "segment": ["everyone"] * rows,
        "score": [1.0 - i / 100 for i in range(rows)],
    })


def test_configuration_names_the_same_profiles_as_the_registry():
    assert EXPORT_PROFILES == PROFILE_NAMES
    for name in PROFILE_NAMES:
        sms_only = not profile_allows_channel(name, "manual_call")
        assert sms_only == (name in SMS_EXPORT_PROFILES), name
        assert profile_allows_channel(name, "p2p_sms")


def test_each_profile_has_its_tools_columns():
    assert profile_columns("outreach") == CONTACT_COLUMNS
    assert profile_columns("spoke")[:5] == ["firstName", "lastName", "cell", "zip", "external_id"]
    assert profile_columns("thrutext")[:3] == ["first name", "last name", "phone"]
    assert profile_columns("callhub")[0] == "phone number"
    assert profile_columns("van_bulk") == ["State File ID", "State", "Phone Number"]
    assert PROFILES["thrutext"].max_rows == profile_max_rows("thrutext") == 50_000 and profile_max_rows("spoke") is None
    for name in PROFILE_NAMES:
        rendered = render_profile(_source(), name)
        assert rendered.column_names == profile_columns(name)
        sources = {column.source for column in PROFILES[name].columns}
        assert sources <= set(SOURCE_COLUMNS)
        assert not [h for h in rendered.column_names if any(word in h.lower() for word in ADDRESS_WORDS)]
    with pytest.raises(ValueError, match="unknown export profile 'nope'"):
        render_profile(_source(), "nope")


def test_only_spoke_carries_the_zip_and_only_van_the_voter_id():
    carriers = {name for name in PROFILE_NAMES if "zip5" in {c.source for c in PROFILES[name].columns}}
    assert carriers == {"spoke"}
    spoke = render_profile(_source(), "spoke")
    assert spoke["zip"].to_pylist() == ["27601", None, "27601"]
    assert spoke["external_id"].to_pylist() == ["c0", "c1", "c2"]
    assert {name for name in PROFILE_NAMES if "voter_id" in {c.source for c in PROFILES[name].columns}} == {"van_bulk"}


def test_sms_profiles_title_case_names_typed_in_one_case():
    spoke = render_profile(_source(5), "spoke")
    assert spoke["firstName"].to_pylist()[:3] == ["Lori", "O'Brien", "McDonald"]
    assert spoke["lastName"].to_pylist()[:3] == ["O'Brien", "Smith-Jones", "DeShawn"]
    thrutext = render_profile(_source(5), "thrutext")
    assert thrutext["first name"].to_pylist()[:2] == ["Lori", "O'Brien"]
    # ThruText drops a row missing a name; the placeholder keeps the contact.
    assert thrutext["first name"].to_pylist()[3] == "Friend"
    # Calling tools keep the names as the source wrote them.
    assert render_profile(_source(), "callhub")["first name"].to_pylist()[0] == "LORI"


def test_phones_as_each_importer_takes_them_and_formulas_stay_neutral():
    source = _source(5)
    assert render_profile(source, "spoke")["cell"].to_pylist()[0] == "+19195550000"
    assert render_profile(source, "callhub")["phone number"].to_pylist()[0] == "+19195550000"
    assert render_profile(source, "thrutext")["phone"].to_pylist()[0] == "9195550000"
    spoke = render_profile(source, "spoke")
    assert spoke["firstName"].to_pylist()[4].startswith("'=")
    assert spoke["lastName"].to_pylist()[4].startswith("'-")
    # Rendering an already neutralized source does not prefix twice.
    again = render_profile(source.set_column(2, "first_name", pa.array(["'=x"] * 5)), "outreach")
    assert again["first_name"].to_pylist()[0] == "'=x"


def test_van_bulk_leaves_out_rows_without_a_state_voter_id():
    van = render_profile(_source(5), "van_bulk")
    assert van["State File ID"].to_pylist() == ["AA0", "AA2", "AA4"]
    assert van["Phone Number"].to_pylist()[0] == "9195550000"


def test_parts_split_at_the_row_limit(tmp_path):
    rendered = render_profile(_source(7), "thrutext")
    parts = write_profile_parts(rendered, "thrutext", tmp_path, max_rows=3)
    assert [p["name"] for p in parts] == ["thrutext.part-001.csv", "thrutext.part-002.csv", "thrutext.part-003.csv"]
    assert [p["rows"] for p in parts] == [3, 3, 1]
    seen = []
    for part in parts:
        data = (tmp_path / part["name"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == part["sha256"] and len(data) == part["bytes"]
        rows = list(csv.DictReader((tmp_path / part["name"]).open(newline="")))
        assert list(rows[0]) == profile_columns("thrutext") and len(rows) == part["rows"]
        seen += [row["phone"] for row in rows]
    assert seen == rendered["phone"].to_pylist()
    # At or under the limit, and with no limit, one file named after the profile.
    at_limit = write_profile_parts(rendered, "thrutext", tmp_path, max_rows=7)
    assert [(p["name"], p["rows"]) for p in at_limit] == [("thrutext.csv", 7)]
    one = write_profile_parts(render_profile(_source(7), "spoke"), "spoke", tmp_path)
    assert [(p["name"], p["rows"]) for p in one] == [("spoke.csv", 7)]
    (tmp_path / "empty").mkdir()
    empty = write_profile_parts(rendered.slice(0, 0), "thrutext", tmp_path / "empty")
    assert [(p["name"], p["rows"]) for p in empty] == [("thrutext.csv", 0)]
    with (tmp_path / "empty" / "thrutext.csv").open(newline="") as handle:
        assert list(csv.reader(handle)) == [profile_columns("thrutext")]
    with pytest.raises(ValueError):
        write_profile_parts(rendered, "spoke", tmp_path, max_rows=0)


def _members(con, with_exports_fields: bool = True):
    extra = ", '27601' as zip5, 'AA1' as voter_id" if with_exports_fields else ""
    con.execute(
        "create or replace table m as select * from (values "
        "('c1', '+19195550142', 'LORI', 'SMITH', 0.9), ('c2', '+19195550143', '@bad', 'O''BRIEN', 0.5)) "
        "v(contact_id, phone_e164, first_name, last_name, score)"
    )
    con.execute(
        "create or replace table m as select contact_id, phone_e164, first_name, last_name, 'NC' as state, "
        "'America/New_York' as timezone, '09:00' as window_start_local, '20:00' as window_end_local, "
        f"'everyone' as segment, score, 'wireless' as line_type{extra} from m"
    )
    con.execute("create or replace table d as select contact_id, phone_e164, true as included, []::varchar[] as rule_ids from m")


def test_publish_writes_the_asked_exports_with_checksums(tmp_path):
    con = duckdb.connect()
    _members(con)
    root = tmp_path / "it's published"          # a quote in the path must not reach SQL unescaped
    version, manifest = publish_version(
        con, published=root, list_name="texts", members_table="m", decisions_table="d",
        manifest_fields={"channel": "p2p_sms"}, as_of=AS_OF, expires_hours=72, exports=("spoke", "thrutext"),
    )
    folder = root / "texts" / version
    assert set(manifest["exports"]) == {"spoke", "thrutext"}
    for name in ("contacts.csv", "contacts.parquet", "decisions.parquet", "profile_source.parquet",
                 "spoke.csv", "thrutext.csv"):
        data = (folder / name).read_bytes()
        assert manifest["files"][name] == {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
    assert json.loads((folder / "manifest.json").read_text())["exports"] == manifest["exports"]
    spoke = manifest["exports"]["spoke"]
    assert spoke["columns"] == profile_columns("spoke")
    assert spoke["parts"] == [{"name": "spoke.csv", "rows": 2, **manifest["files"]["spoke.csv"]}]
    with (folder / "spoke.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {"firstName", "lastName", "cell"} <= set(rows[0])
    assert [r["firstName"] for r in rows] == ["Lori", "'@Bad"] and rows[1]["lastName"] == "O'Brien"
    assert rows[0]["zip"] == "27601" and rows[0]["cell"] == "+19195550142"
    # contacts.csv keeps exactly its columns; profile_source carries every profile's fields.
    with (folder / "contacts.csv").open(newline="") as handle:
        assert next(csv.reader(handle)) == CONTACT_COLUMNS
    source = pq.read_table(folder / "profile_source.parquet")
    assert source.column_names == SOURCE_COLUMNS
    assert source["first_name"].to_pylist() == ["LORI", "'@bad"] and source["voter_id"].to_pylist() == ["AA1", "AA1"]


def test_publish_without_exports_still_writes_profile_source(tmp_path):
    con = duckdb.connect()
    _members(con, with_exports_fields=False)            # a members table from before zip5 and voter_id
    version, manifest = publish_version(
        con, published=tmp_path, list_name="calls", members_table="m", decisions_table="d",
        manifest_fields={}, as_of=AS_OF, expires_hours=72,
    )
    assert manifest["exports"] == {}
    assert "profile_source.parquet" in manifest["files"]
    assert sorted(p.name for p in (tmp_path / "calls" / version).iterdir()) == [
        "contacts.csv", "contacts.parquet", "decisions.parquet", "manifest.json", "profile_source.parquet"]
    source = pq.read_table(tmp_path / "calls" / version / "profile_source.parquet")
    assert source["zip5"].null_count == 2
    # The source a version keeps renders the same files later (the API's path).
    assert render_profile(source, "spoke").num_rows == 2
