"""Reading the inbox as it really comes: layouts by header name, encodings, bad lines."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from assets.ingest.dnc import load_dnc
from assets.ingest.donations import load_donations
from assets.ingest.contact_records import CONTACT_RECORD_SOURCES, load_csv_source
from assets.ingest.layouts import FL_VOTER_COLUMNS, NC_VOTER_COLUMNS
from assets.ingest.reading import LayoutError
from assets.ingest.voters import load_voters
from assets.ingest.volunteers import flatten_attendance

# The pre-2022 ncvoter layout: other order, birth_age, and four NOT USED columns.
OLD_NC_COLUMNS = ["absent_ind", "name_prefx_cd", "dist_2_abbrv", "dist_2_desc", "birth_age"] + [
    c for c in reversed(NC_VOTER_COLUMNS) if c != "age_at_year_end"
]


def _con(tmp_path):
    return duckdb.connect(str(tmp_path / "w.duckdb"))


def _tab_file(path: Path, header: list[str] | None, rows: list[dict], encoding="utf-8", columns=None):
    columns = columns or header
    lines = (["\t".join(header)] if header else []) + ["\t".join(row.get(c, "") for c in columns) for row in rows]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))


def test_old_and_new_nc_layouts_are_read_by_name(tmp_path):
    inbox = tmp_path / "inbox"
    _tab_file(inbox / "voters" / "ncvoter1.txt", OLD_NC_COLUMNS, [{"ncid": "AA1", "birth_age": "44", "last_name": "OLD"}])
    _tab_file(inbox / "voters" / "ncvoter2.txt", NC_VOTER_COLUMNS, [{"ncid": "BB2", "age_at_year_end": "33", "last_name": "NEW"}])
    con = _con(tmp_path)
    loads = {load.file: load for load in load_voters(con, inbox)}
    assert loads["voters/ncvoter1.txt"].layout == "ncvoter_pre2022"
    assert loads["voters/ncvoter2.txt"].layout == "ncvoter_2022"
    rows = con.execute("select ncid, age_at_year_end, last_name, _line from raw.nc_voters order by ncid").fetchall()
    assert rows == [("AA1", "44", "OLD", 2), ("BB2", "33", "NEW", 2)]


def test_missing_columns_fail_with_file_and_columns_named(tmp_path):
    inbox = tmp_path / "inbox"
    header = [c for c in NC_VOTER_COLUMNS if c not in ("full_phone_number", "status_cd")]
    _tab_file(inbox / "voters" / "ncvoter9.txt", header, [{"ncid": "X"}])
    with pytest.raises(LayoutError) as error:
        load_voters(_con(tmp_path), inbox)
    assert "voters/ncvoter9.txt" in str(error.value)
    assert "status_cd" in str(error.value) and "full_phone_number" in str(error.value)


def test_unknown_voter_layout_fails_naming_what_was_expected(tmp_path):
    inbox = tmp_path / "inbox"
    (inbox / "voters").mkdir(parents=True)
    (inbox / "voters" / "mystery.csv").write_text("a,b\n1,2\n")
    with pytest.raises(LayoutError, match=r"voters/mystery.csv: .*ncvoter.*38 tab-separated fields"):
        load_voters(_con(tmp_path), inbox)


def test_latin1_file_is_decoded_and_counted_and_bad_lines_quarantined(tmp_path):
    inbox = tmp_path / "inbox"
    rows = [{"voter_id": "1", "name_last": "Muñoz"}, {"voter_id": "2", "name_last": "Zoë"}]
    _tab_file(inbox / "voters" / "ORA_20261120.txt", None, rows, encoding="latin-1", columns=FL_VOTER_COLUMNS)
    with (inbox / "voters" / "ORA_20261120.txt").open("ab") as handle:
        handle.write("3\tcut short\n".encode("latin-1"))
    con = _con(tmp_path)
    (load,) = load_voters(con, inbox)
    assert (load.encoding, load.rows_read, load.rows_loaded, load.rows_quarantined) == ("latin-1", 3, 2, 1)
    assert [r[0] for r in con.execute("select name_last from raw.fl_voters order by _line").fetchall()] == ["Muñoz", "Zoë"]
    line, reason = con.execute("select _line, reason from raw.quarantine").fetchone()
    assert line == 3 and "expected 38 tab-separated fields, found 2" in reason


def test_actblue_older_header_with_repeated_reserved(tmp_path):
    inbox = tmp_path / "inbox"
    (inbox / "donations").mkdir(parents=True)
    header = "Receipt ID,Date,Amount,Donor First Name,Donor Last Name,Donor Phone,Card Type,Reserved,Reserved,Reserved,Reserved,Text Message Opt In"
    (inbox / "donations" / "export.csv").write_text(
        header + '\nAB1,2026-01-02 10:00:00,25,Ann,"Lee, Jr",919-555-0142,visa,,,,,true\n"AB2,broken\n')
    con = _con(tmp_path)
    (load,) = load_donations(con, inbox)
    assert load.layout == "actblue_older" and load.rows_loaded == 1 and load.rows_quarantined == 1
    assert con.execute("select receipt_id, donor_last_name, text_message_opt_in, _line from raw.donations").fetchone() == (
        "AB1", "Lee, Jr", "true", 2)
    assert con.execute("select _line from raw.quarantine").fetchone()[0] == 3


def test_csv_source_needs_its_columns(tmp_path):
    inbox = tmp_path / "inbox"
    (inbox / "opt_outs").mkdir(parents=True)
    (inbox / "opt_outs" / "o.csv").write_text("number,when\n1,2\n")
    spec = next(s for s in CONTACT_RECORD_SOURCES if s.folder == "opt_outs")
    with pytest.raises(LayoutError, match=r"opt_outs/o.csv: .*missing phone, received_at"):
        load_csv_source(_con(tmp_path), inbox, spec)


def test_dnc_spellings_dates_and_bad_lines(tmp_path):
    inbox = tmp_path / "inbox"
    (inbox / "dnc" / "federal").mkdir(parents=True)
    (inbox / "dnc" / "state" / "NC").mkdir(parents=True)
    (inbox / "dnc" / "federal" / "dnc_full_20261120.txt").write_text("9195550142\n919,5550143\n<html>\n")
    (inbox / "dnc" / "federal" / "dnc_changes_20261125.txt").write_text("919,5550142,D\n919,5550144,A\n")
    (inbox / "dnc" / "state" / "NC" / "dnc_full_20261101.txt").write_text("9195550145\n")
    con = _con(tmp_path)
    load_dnc(con, inbox)
    rows = con.execute("select list, file_kind, snapshot_date, phone, action from raw.dnc_entries order by list, _file, _line").fetchall()
    assert ("federal", "full", "2026-11-20", "9195550143", "A") in rows
    assert ("federal", "changes", "2026-11-25", "9195550142", "D") in rows
    assert ("NC", "full", "2026-11-01", "9195550145", "A") in rows
    assert con.execute("select _file, _line from raw.quarantine").fetchall() == [("dnc/federal/dnc_full_20261120.txt", 3)]
    (inbox / "dnc" / "federal" / "latest.txt").write_text("9195550142\n")
    with pytest.raises(LayoutError, match=r"dnc/federal/latest.txt: .*dnc_full_<YYYYMMDD>.txt"):
        load_dnc(con, inbox)


def test_contract_headers_are_read_as_people_export_them(tmp_path):
    """`Received At`, `PHONE` and `Phone #` are the contract's `received_at` and `phone`: a
    reply file with a title-case header is read, not refused (and forgotten once deleted)."""
    inbox = tmp_path / "inbox"
    (inbox / "inbound_sms").mkdir(parents=True)
    (inbox / "inbound_sms" / "replies.csv").write_text("Phone #,Received At,BODY\n919-555-0142,2026-11-01,STOP\n")
    (inbox / "opt_outs").mkdir(parents=True)
    (inbox / "opt_outs" / "o.csv").write_text("PHONE,Received-At,Channel,Source,Reason\n9195550143,2026-11-01,all,x,y\n")
    con = _con(tmp_path)
    for folder in ("inbound_sms", "opt_outs"):
        spec = next(s for s in CONTACT_RECORD_SOURCES if s.folder == folder)
        loads = load_csv_source(con, inbox, spec)
        assert [(load.rows_loaded, load.rows_quarantined) for load in loads] == [(1, 0)], folder
    assert con.execute("select phone, received_at, body from raw.inbound_sms").fetchall() == [
        ("919-555-0142", "2026-11-01", "STOP")]
    assert con.execute("select phone, channel from raw.opt_outs").fetchall() == [("9195550143", "all")]
    # Two names that read as one column stay unclear.
    (inbox / "opt_outs" / "o.csv").write_text("phone,Phone,received_at\n1,2,3\n")
    spec = next(s for s in CONTACT_RECORD_SOURCES if s.folder == "opt_outs")
    with pytest.raises(LayoutError, match="more than once"):
        load_csv_source(con, inbox, spec)


@pytest.mark.parametrize("numbers, phone, others", [
    ([{"primary": True, "number": "919-555-0142"}], "919-555-0142", None),
    ([{"primary": False, "number": "1"}, {"primary": True, "number": "2"}, {"number": "3"}], "2", "1\n3"),
    # No entry marked primary: the first is the phone, the rest are others.
    ([{"number": "4"}, {"number": 9195550143}], "4", "9195550143"),
    # Blank numbers are no number; an entry that is not an object is read as written.
    ([{"primary": True, "number": "5"}, {"number": " "}, {"number": None}, "919 555 0144"], "5", "919 555 0144"),
    ([], None, None),
])
def test_a_mobilize_person_keeps_every_number_they_gave(numbers, phone, others):
    row = flatten_attendance({"id": 1, "person": {"phone_numbers": numbers}})
    assert (row["phone"], row["other_phones"]) == (phone, others)
