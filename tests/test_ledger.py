"""The durable suppression and consent ledger (issue 9 item 10): an opt-out file removed from
the inbox is not forgotten, re-reading a file adds nothing, and deleting the warehouse loses
nothing. Only ledger facts here; which lists the ledger keeps a number out of is the dbt
models' business (tests/test_pipeline_end_to_end.py and the compliance tests)."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from assets.ingest.sources import SOURCE_FAMILIES
from assets.ledger import (
    LEDGER_TABLE_NAMES,
    LedgerError,
    absorb_family,
    copy_to_warehouse,
    ledger_counts,
    ledger_path,
    snapshot_folder,
)
from assets.warehouse import connect

from .conftest import AS_OF, open_db

OUTREACH = str(Path(sys.executable).parent / "outreach")
FAMILIES = {family.name: family for family in SOURCE_FAMILIES}
OPT_OUT_KEY = "select phone, received_at, channel, source, reason, _file, _line, _sha256, _first_seen_at from {} order by all"


def _ingest(home: Path, inbox: Path, family: str) -> dict[str, int]:
    snapshot = snapshot_folder(inbox, family)
    with connect(home / "warehouse.duckdb") as con:
        FAMILIES[family].load(con, inbox)
        return absorb_family(con, home, inbox, family, snapshot)


def _ledger_rows(home: Path, table: str, sql: str = "select * from {} order by all") -> list[tuple]:
    con = open_db(str(ledger_path(home)))
    try:
        return con.execute(sql.format(table)).fetchall()
    finally:
        con.close()


def _write_opt_outs(inbox: Path, name: str, lines: list[str]) -> Path:
    path = inbox / "opt_outs" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("phone,received_at,channel,source,reason\n" + "".join(line + "\n" for line in lines))
    return path


# --- absorbing, without the pipeline ------------------------------------------------------


def test_absorb_is_idempotent_per_file_sha_and_line(tmp_path):
    home, inbox = tmp_path / "home", tmp_path / "inbox"
    path = _write_opt_outs(inbox, "a.csv", ["(919) 555-0142,2026-10-01T10:00:00-04:00,sms,texting tool,STOP",
                                            "919.555.0143,2026-10-02T10:00:00-04:00,call,phone bank,asked"])
    assert _ingest(home, inbox, "opt_outs") == {"opt_outs": 2, "quarantine": 0}
    assert _ingest(home, inbox, "opt_outs") == {"opt_outs": 0, "quarantine": 0}
    # The same bytes under another name are the same file: nothing new.
    shutil.copy(path, inbox / "opt_outs" / "copy_of_a.csv")
    assert _ingest(home, inbox, "opt_outs")["opt_outs"] == 0
    # A changed file (new sha256) adds its rows again; the old ones stay.
    path.write_text(path.read_text() + "919-555-0144,2026-10-03T10:00:00-04:00,,,\n")
    assert _ingest(home, inbox, "opt_outs")["opt_outs"] == 3
    rows = _ledger_rows(home, "opt_outs", "select _sha256, _line, _file from {} order by all")
    assert len(rows) == 5 and len({sha for sha, *_ in rows}) == 2
    assert len({(sha, line) for sha, line, _ in rows}) == 5
    # The inbox empties: the ledger keeps everything.
    shutil.rmtree(inbox / "opt_outs")
    assert _ingest(home, inbox, "opt_outs")["opt_outs"] == 0
    assert len(_ledger_rows(home, "opt_outs")) == 5


def test_sha256_is_of_the_file_bytes_and_first_seen_is_kept(tmp_path):
    import hashlib

    home, inbox = tmp_path / "home", tmp_path / "inbox"
    path = _write_opt_outs(inbox, "a.csv", ["9195550142,2026-10-01T10:00:00-04:00,all,x,y"])
    _ingest(home, inbox, "opt_outs")
    first = _ledger_rows(home, "opt_outs", "select _sha256, _first_seen_at, _file, _line from {}")
    assert first[0][0] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert first[0][2:] == ("opt_outs/a.csv", 2)
    _ingest(home, inbox, "opt_outs")
    assert _ledger_rows(home, "opt_outs", "select _sha256, _first_seen_at, _file, _line from {}") == first


def test_quarantined_suppression_lines_and_sms_opt_ins_are_kept(tmp_path):
    home, inbox = tmp_path / "home", tmp_path / "inbox"
    _write_opt_outs(inbox, "a.csv", ["9195550142,2026-10-01T10:00:00-04:00,all,x,y",
                                     '"9195550143,2026-10-01,"broken quote line,,,,,,,',
                                     "9195550144,2026-10-01T10:00:00-04:00,all,x,y,one,too,many"])
    _ingest(home, inbox, "opt_outs")
    with connect(home / "warehouse.duckdb") as con:
        raw_quarantined = con.execute("select count(*) from raw.quarantine where source = 'opt_outs'").fetchone()[0]
    quarantine = _ledger_rows(home, "quarantine", "select source, _file, _line, reason, raw_line, _sha256 from {}")
    assert raw_quarantined >= 1 and len(quarantine) == raw_quarantined
    assert all(row[0] == "opt_outs" and row[1] == "opt_outs/a.csv" and row[5] for row in quarantine)
    assert len(_ingest(home, inbox, "opt_outs")) == 2 and len(_ledger_rows(home, "quarantine")) == raw_quarantined


def test_a_file_changed_while_read_adds_nothing(tmp_path):
    home, inbox = tmp_path / "home", tmp_path / "inbox"
    path = _write_opt_outs(inbox, "a.csv", ["9195550142,2026-10-01T10:00:00-04:00,all,x,y"])
    snapshot = snapshot_folder(inbox, "opt_outs")
    path.write_text(path.read_text() + "9195550143,2026-10-01T10:00:00-04:00,all,x,y\n")
    with connect(home / "warehouse.duckdb") as con:
        FAMILIES["opt_outs"].load(con, inbox)
        with pytest.raises(LedgerError, match="opt_outs/a.csv") as error:
            absorb_family(con, home, inbox, "opt_outs", snapshot)
    assert "9195550142" not in str(error.value)
    assert not ledger_path(home).exists() or _ledger_rows(home, "opt_outs") == []


def test_empty_families_still_have_every_ledger_table(tmp_path):
    home, inbox = tmp_path / "home", tmp_path / "inbox"
    inbox.mkdir()
    for family in ("opt_outs", "volunteers", "donations"):
        _ingest(home, inbox, family)
    with connect(home / "warehouse.duckdb") as con:
        summary = copy_to_warehouse(con, home)
        copied = {row[0]: row[1] for row in con.execute(
            "select table_name, string_agg(column_name, ',' order by ordinal_position) "
            "from information_schema.columns where table_schema = 'ledger' group by table_name").fetchall()}
    assert set(summary) == set(LEDGER_TABLE_NAMES) == set(copied)
    assert all(counts["rows"] == 0 for counts in summary.values())
    assert copied["opt_outs"] == "phone,received_at,channel,source,reason,_file,_line,_sha256,_first_seen_at"
    assert copied["quarantine"] == "source,_file,_line,reason,raw_line,_sha256,_first_seen_at"
    assert copied["volunteer_sms"] == ("phone,other_phones,sms_opt_in_status,modified_date,person_id,_file,_line,"
                                       "_sha256,_first_seen_at")
    assert copied["donor_sms"] == "donor_phone,date,text_message_opt_in,receipt_id,_file,_line,_sha256,_first_seen_at"


def test_a_volunteer_row_kept_by_older_code_takes_the_persons_other_numbers(tmp_path):
    """A ledger written before `other_phones` was kept has the row without them: reading the
    same page again fills them in (a person's opt-out reaches every number they gave), and
    adds no row and keeps the first-seen time."""
    home, inbox = tmp_path / "home", tmp_path / "inbox"
    (inbox / "volunteers").mkdir(parents=True)
    (inbox / "volunteers" / "page.json").write_text(json.dumps({"next": None, "data": [
        {"id": 1, "modified_date": 1767225600, "person": {"id": 7, "sms_opt_in_status": "OPT_OUT", "phone_numbers": [
            {"primary": True, "number": "919-555-0142"}, {"primary": False, "number": "(919) 555-0143"},
            {"primary": False, "number": "919.555.0144"}]}}]}))
    assert _ingest(home, inbox, "volunteers") == {"volunteer_sms": 1, "quarantine": 0}
    assert _ledger_rows(home, "volunteer_sms", "select other_phones from {}") == [("(919) 555-0143\n919.555.0144",)]
    con = open_db(str(ledger_path(home)), read_only=False)
    try:
        con.execute("alter table volunteer_sms drop column other_phones")
        first_seen = con.execute("select _first_seen_at from volunteer_sms").fetchall()
    finally:
        con.close()
    assert _ingest(home, inbox, "volunteers") == {"volunteer_sms": 0, "quarantine": 0}
    assert _ledger_rows(home, "volunteer_sms", "select other_phones, _first_seen_at from {}") == [
        ("(919) 555-0143\n919.555.0144", first_seen[0][0])]


# --- through the pipeline -----------------------------------------------------------------


@pytest.fixture(scope="module")
def ledger_home(pipeline_run, small_inbox, tmp_path_factory):
    """A copy of the session run's home and inbox, to run again on without touching them."""
    home, *_ = pipeline_run
    base = tmp_path_factory.mktemp("ledger")
    shutil.copytree(home, base / "home")
    shutil.copytree(small_inbox, base / "inbox")
    return base / "home", base / "inbox"


def _run(home: Path, inbox: Path, outcomes: list | None = None) -> tuple[int, str]:
    from configuration.settings import RunSettings
    from orchestration.runner import run_pipeline

    out = io.StringIO()
    status, listed = run_pipeline(RunSettings.build(inbox, home, AS_OF), out=out)
    if outcomes is not None:
        outcomes += listed
    return status, out.getvalue()


def _warehouse_rows(home: Path, sql: str) -> list[tuple]:
    con = open_db(str(home / "warehouse.duckdb"))
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_the_ledger_outlives_the_inbox_and_the_warehouse(ledger_home):
    home, inbox = ledger_home
    counts = ledger_counts(home)
    opt_outs = _ledger_rows(home, "opt_outs", OPT_OUT_KEY)
    raw_opt_outs = _warehouse_rows(home, "select count(*) from raw.opt_outs")[0][0]
    assert raw_opt_outs and counts["opt_outs"]["rows"] == raw_opt_outs == len(opt_outs)
    assert counts["inbound_sms"]["rows"] and counts["contact_history"]["rows"] and counts["consents"]["rows"]
    assert counts["volunteer_sms"]["rows"] and counts["donor_sms"]["rows"]
    assert _warehouse_rows(home, OPT_OUT_KEY.format("ledger.opt_outs")) == opt_outs

    # The opt-out and reply files leave the inbox; every other file is read again.
    shutil.rmtree(inbox / "opt_outs")
    shutil.rmtree(inbox / "inbound_sms")
    status, out = _run(home, inbox)
    assert status in (0, 3), out
    assert _warehouse_rows(home, "select count(*) from raw.opt_outs")[0][0] == 0
    assert ledger_counts(home) == counts, "re-reading the same files must add nothing, and nothing is forgotten"
    assert _ledger_rows(home, "opt_outs", OPT_OUT_KEY) == opt_outs
    assert _warehouse_rows(home, OPT_OUT_KEY.format("ledger.opt_outs")) == opt_outs
    assert "ingest_opt_outs: opt_outs: 0 new rows in the ledger" in out

    # The warehouse is deleted: the ledger is not in it.
    (home / "warehouse.duckdb").unlink()
    shutil.rmtree(home / "published")
    status, out = _run(home, inbox)
    assert status in (0, 3), out
    assert ledger_counts(home) == counts
    assert _warehouse_rows(home, OPT_OUT_KEY.format("ledger.opt_outs")) == opt_outs
    tables = {row[0] for row in _warehouse_rows(
        home, "select table_name from information_schema.tables where table_schema = 'ledger'")}
    assert tables == set(LEDGER_TABLE_NAMES)


def _latest_versions(home: Path) -> dict[str, str]:
    published = home / "published"
    return {d.name: (d / "LATEST").read_text().strip() for d in sorted(published.iterdir()) if (d / "LATEST").exists()}


def _copy_of_the_run(pipeline_run, small_inbox, tmp_path_factory, name: str):
    """A copy of the shared run's home and inbox to change: (home, inbox, the latest versions,
    everyone_calls' numbers, sorted)."""
    import pyarrow.parquet as pq

    home, *_ = pipeline_run
    base = tmp_path_factory.mktemp(name)
    shutil.copytree(home, base / "home")
    shutil.copytree(small_inbox, base / "inbox")
    home, inbox = base / "home", base / "inbox"
    before = _latest_versions(home)
    calls = home / "published" / "everyone_calls" / before["everyone_calls"] / "contacts.parquet"
    return home, inbox, before, sorted(pq.read_table(calls, columns=["phone_e164"]).column("phone_e164").to_pylist())


def _run_that_publishes_nothing(home: Path, inbox: Path, before: dict[str, str], why: str) -> tuple[str, str]:
    """Run; it exits 2 and publishes no version. (everyone_calls' detail, the printed text)"""
    outcomes: list = []
    status, out = _run(home, inbox, outcomes)
    assert status == 2
    assert outcomes and not any(outcome.published for outcome in outcomes)
    assert _latest_versions(home) == before, f"a list was published while {why}"
    return next(outcome.detail for outcome in outcomes if outcome.name == "everyone_calls"), out


def _lists_holding(home: Path, versions: dict[str, str], phones: set[str]) -> set[str]:
    import pyarrow.parquet as pq

    return {name for name, version in versions.items()
            if phones & set(pq.read_table(home / "published" / name / version / "contacts.parquet",
                                          columns=["phone_e164"]).column("phone_e164").to_pylist())}


def test_an_opt_out_file_never_read_is_not_forgotten_when_it_leaves_the_inbox(pipeline_run, small_inbox,
                                                                              tmp_path_factory):
    """An opt-out file whose layout fails blocks every list, naming it; its lines are in the
    ledger's quarantine already, so once the file is gone (fixed elsewhere, rotated, deleted)
    the numbers it held stay out of every list (C07)."""
    from orchestration.explain import explain_phone

    home, inbox, before, listed = _copy_of_the_run(pipeline_run, small_inbox, tmp_path_factory, "unread_opt_outs")
    first, second = listed[:2]
    (inbox / "opt_outs" / "semicolons.csv").write_text(
        f"phone;received_at;channel;source;reason\n{first[2:]};2026-11-01;all;dialer;asked\n")
    (inbox / "opt_outs" / "numbers only.csv").write_text(f"({second[2:5]}) {second[5:8]}-{second[8:]}\n")

    detail, out = _run_that_publishes_nothing(home, inbox, before, "an opt-out file was not read")
    assert first[2:] not in out + detail and second[2:] not in out + detail

    (inbox / "opt_outs" / "semicolons.csv").unlink()
    (inbox / "opt_outs" / "numbers only.csv").unlink()
    status, out = _run(home, inbox)
    assert status in (0, 3), out[-2000:]
    after = _latest_versions(home)
    assert set(after) == set(before) and all(after[name] != before[name] for name in after)
    assert _lists_holding(home, after, {first, second}) == set()
    for phone, file in ((first, "opt_outs/semicolons.csv"), (second, "opt_outs/numbers only.csv")):
        lines = explain_phone(phone, home, only_list="everyone_calls")
        assert lines[0].startswith("excluded from everyone_calls") and "C07" in lines[0], lines[0][:60]
        assert any("C07" in line and file in line for line in lines[1:]), f"no C07 evidence naming {file}"
    # The blocked lists named both files at once, not the first alone.
    assert "2 files cannot be read" in detail, detail[:200]
    assert "opt_outs/semicolons.csv" in detail and "opt_outs/numbers only.csv" in detail


def test_a_do_not_call_survey_answer_is_kept_after_its_file_leaves_the_inbox(pipeline_run, small_inbox,
                                                                             tmp_path_factory):
    """A survey answer "Do Not Call" takes its number off every list (R09); the ledger keeps the
    answer, so once the survey file is gone (rotated, deleted) the number stays off."""
    home, inbox, before, listed = _copy_of_the_run(pipeline_run, small_inbox, tmp_path_factory, "survey_dnc")
    number = listed[0]
    answers = inbox / "surveys" / "phone_ids.csv"
    answers.write_text("phone,question,response,collected_at\n"
                       f"({number[2:5]}) {number[5:8]}-{number[8:]},contact,Do Not Call,2026-11-01T10:00:00-05:00\n")
    status, out = _run(home, inbox)
    assert status in (0, 3), out[-2000:]
    assert number[2:] not in out
    assert _lists_holding(home, _latest_versions(home), {number}) == set()
    assert len(_ledger_rows(home, "survey_answers", "select * from {} where _file = 'surveys/phone_ids.csv'")) == 1

    answers.unlink()
    status, out = _run(home, inbox)
    assert status in (0, 3), out[-2000:]
    assert _lists_holding(home, _latest_versions(home), {number}) == set()


def test_an_opt_out_file_in_a_misspelt_folder_stops_every_list_until_it_is_moved(pipeline_run, small_inbox,
                                                                               tmp_path_factory):
    """No source reads `Opt-Outs/`: its opt-outs would be ignored while every list publishes.
    The run names the file and the folder it likely meant, and publishes nothing; once the
    file is where its source reads it, its number is on no list."""
    home, inbox, before, listed = _copy_of_the_run(pipeline_run, small_inbox, tmp_path_factory, "misspelt_folder")
    phone = listed[0]
    misplaced = inbox / "Opt-Outs" / "march.csv"
    misplaced.parent.mkdir()
    misplaced.write_text(f"phone,received_at,channel,source,reason\n{phone[2:]},2026-11-01,all,dialer,asked\n")

    detail, out = _run_that_publishes_nothing(home, inbox, before, "an opt-out file was in no source's folder")
    assert "Opt-Outs/march.csv: Opt-Outs/ is not an inbox folder (did you mean opt_outs/?)" in detail, detail[:300]
    assert phone[2:] not in out + detail

    misplaced.rename(inbox / "opt_outs" / "march.csv")
    status, out = _run(home, inbox)
    assert status in (0, 3), out[-2000:]
    after = _latest_versions(home)
    assert set(after) == set(before)
    assert _lists_holding(home, after, {phone}) == set()


# --- outreach ledger ----------------------------------------------------------------------


def _cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run([OUTREACH, *args], capture_output=True, text=True, timeout=300)


def test_outreach_ledger_prints_counts_and_no_phone_number(pipeline_run, tmp_path):
    home, *_ = pipeline_run
    result = _cli("ledger", "--home", str(home))
    assert result.returncode == 0, result.stderr
    for name in LEDGER_TABLE_NAMES:
        assert re.search(rf"^{name}\s+[\d,]+\s+[\d,]+", result.stdout, re.MULTILINE), name
    counts = ledger_counts(home)
    assert f"{counts['opt_outs']['rows']:,}" in result.stdout
    # No phone: no run of seven digits at all, and no ledger number's last seven digits.
    assert not re.search(r"\d{7}", result.stdout)
    for phone in _ledger_phone_digits(home):
        assert phone[-7:] not in result.stdout


def _ledger_phone_digits(home: Path) -> set[str]:
    rows = _ledger_rows(home, "opt_outs", "select phone from {}") + _ledger_rows(home, "donor_sms", "select donor_phone from {}")
    return {digits for (phone,) in rows if phone and len(digits := re.sub(r"\D", "", phone)) >= 10}


def test_outreach_ledger_export_and_errors(pipeline_run, tmp_path):
    home, *_ = pipeline_run
    target = tmp_path / "ledger_export.duckdb"
    result = _cli("ledger", "--home", str(home), "--export", str(target))
    assert result.returncode == 0, result.stderr
    assert not re.search(r"\d{7}", result.stdout)
    con = open_db(str(target))
    try:
        exported = {name: con.execute(f"select count(*) from main.{name}").fetchone()[0] for name in LEDGER_TABLE_NAMES}
    finally:
        con.close()
    assert exported == {name: summary["rows"] for name, summary in ledger_counts(home).items()}
    assert target.stat().st_mode & 0o077 == 0
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]

    again = _cli("ledger", "--home", str(home), "--export", str(target))
    assert again.returncode == 2 and "already exists" in again.stderr

    missing = _cli("ledger", "--home", str(tmp_path / "no_home"))
    assert missing.returncode == 2 and "no ledger" in missing.stderr

    assert "--export" in _cli("ledger", "--help").stdout
