"""The whole pipeline on the real stack: generator, Dagster, DuckDB, dbt, Great Expectations."""

from __future__ import annotations

import csv
import hashlib
import json

import duckdb
import phonenumbers

from assets.publishing import CONTACT_COLUMNS

from .conftest import AS_OF, open_db


def _latest(home, name):
    list_dir = home / "published" / name
    return list_dir / (list_dir / "LATEST").read_text().strip()


def test_manual_call_and_p2p_lists_publish(pipeline_run):
    home, status, outcomes, printed = pipeline_run
    by_name = {o.name: o for o in outcomes}
    assert by_name["everyone_calls"].published, by_name["everyone_calls"].detail
    assert by_name["everyone_texts"].published, by_name["everyone_texts"].detail
    assert status in (0, 3)
    assert (status == 0) == all(o.published for o in outcomes)


def test_manifest_matches_files(pipeline_run):
    home, *_ = pipeline_run
    version_dir = _latest(home, "everyone_calls")
    manifest = json.loads((version_dir / "manifest.json").read_text())
    for key in ("list", "version", "channel", "purpose", "caller_entity", "as_of", "expires_at", "row_count",
                "files", "policy", "gates", "suppressed"):
        assert key in manifest
    assert manifest["as_of"] == AS_OF.isoformat()
    for name, entry in manifest["files"].items():
        data = (version_dir / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
        assert len(data) == entry["bytes"]
    assert all(gate["success"] for gate in manifest["gates"])
    with (version_dir / "contacts.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == manifest["row_count"] > 0
    assert list(rows[0].keys())[: len(CONTACT_COLUMNS)] == CONTACT_COLUMNS


def test_published_rows_are_valid_unique_and_not_opted_out(pipeline_run):
    home, *_ = pipeline_run
    for name in ("everyone_calls", "everyone_texts"):
        version_dir = _latest(home, name)
        phones = [r["phone_e164"] for r in csv.DictReader((version_dir / "contacts.csv").open())]
        assert len(phones) == len(set(phones))
        for phone in phones:
            parsed = phonenumbers.parse(phone, "US")
            assert phonenumbers.is_valid_number(parsed) and parsed.country_code == 1
        con = open_db(str(home / "warehouse.duckdb"))
        opted = {row[0] for row in con.execute("select phone_e164 from main.int_opt_outs").fetchall()}
        con.close()
        assert opted, "the generated inbox should hold opt-outs"
        assert not opted & set(phones)


def test_suppression_counts_reconcile(pipeline_run):
    home, *_ = pipeline_run
    version_dir = _latest(home, "everyone_calls")
    manifest = json.loads((version_dir / "manifest.json").read_text())
    decisions = duckdb.execute(
        "select count(*), count(*) filter (where included) from read_parquet(?)", [str(version_dir / "decisions.parquet")]
    ).fetchone()
    assert decisions[1] == manifest["row_count"]
    excluded = decisions[0] - decisions[1]
    assert excluded > 0
    assert manifest["candidates"] == decisions[0] == manifest["row_count"] + manifest["excluded"]
    # Each excluded row carries at least one rule id; counts are per rule.
    assert sum(manifest["suppressed"].values()) >= excluded
    assert "R09" in manifest["suppressed"] or "R11" in manifest["suppressed"]


def test_ingest_reconciles_every_file(pipeline_run):
    home, *_ = pipeline_run
    con = open_db(str(home / "warehouse.duckdb"))
    bad = con.execute("select count(*) from raw.ingest_files where rows_read <> rows_loaded + rows_quarantined").fetchone()[0]
    folders = {r[0] for r in con.execute("select distinct source from raw.ingest_files").fetchall()}
    quarantined = con.execute("select count(*) from raw.quarantine where _line is not null and reason <> ''").fetchone()[0]
    con.close()
    assert bad == 0
    assert {"voters", "vote_history", "donations", "volunteers", "dnc", "opt_outs", "inbound_sms", "consents",
            "line_types", "rnd", "contact_history", "surveys"} <= folders
    assert quarantined > 0


def test_output_names_no_person(pipeline_run, small_inbox):
    home, status, outcomes, printed = pipeline_run
    assert "PUBLISHED" in printed or outcomes
    con = open_db(str(home / "warehouse.duckdb"))
    phones = [r[0] for r in con.execute("select phone_e164 from main.int_voters where phone_e164 is not null limit 500").fetchall()]
    names = [r[0] for r in con.execute("select last_name from main.int_voters where length(last_name) > 5 limit 200").fetchall()]
    con.close()
    for phone in phones:
        assert phone not in printed and phone[2:] not in printed
    for name in names:
        assert name not in printed


def test_lists_asking_for_exports_publish_them(pipeline_run):
    """The shipped lists.yaml asks everyone_texts for spoke and thrutext: their files sit beside
    contacts.csv, with checksums in the manifest, and Spoke's importer finds its required headers."""
    home, *_ = pipeline_run
    version_dir = _latest(home, "everyone_texts")
    manifest = json.loads((version_dir / "manifest.json").read_text())
    assert set(manifest["exports"]) == {"spoke", "thrutext"}
    for profile, entry in manifest["exports"].items():
        assert sum(part["rows"] for part in entry["parts"]) == manifest["row_count"]
        for part in entry["parts"]:
            data = (version_dir / part["name"]).read_bytes()
            assert manifest["files"][part["name"]] == {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
    with (version_dir / "spoke.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {"firstName", "lastName", "cell", "zip"} <= set(rows[0])
    assert len(rows) == manifest["row_count"]
    assert sum(1 for row in rows if len(row["zip"]) == 5) > len(rows) * 0.9   # Spoke's quiet hours come from it
    assert not any(row["firstName"].isupper() and len(row["firstName"]) > 1 for row in rows)
    with (version_dir / "contacts.csv").open(newline="") as handle:
        assert next(csv.reader(handle)) == CONTACT_COLUMNS
    # A call list with VAN's bulk format: rows keyed by the state voter-file id.
    gotv = json.loads((_latest(home, "gotv_calls") / "manifest.json").read_text())
    assert set(gotv["exports"]) == {"callhub", "van_bulk"}
    van_rows = sum(part["rows"] for part in gotv["exports"]["van_bulk"]["parts"])
    assert 0 < van_rows <= gotv["row_count"]
