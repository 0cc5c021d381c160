"""The inbox is read fail closed (issue 9, items 1, 4 and 14): a bad CSV line costs that line
alone, Excel's byte-order mark and CRLF are read, nothing in the inbox is skipped silently,
and a file name is never a glob. Real DuckDB, the real loaders, no pipeline run."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest

from assets.ingest.contact_records import CONTACT_RECORD_SOURCES, load_csv_source
from assets.ingest.donations import load_donations
from assets.ingest.layouts import FL_VOTER_COLUMNS
from assets.ingest.reading import ensure_bookkeeping_tables
from assets.ingest.inbox import NOT_A_REGULAR_FILE, blocking_entries, likely_folder
from assets.ingest.sources import SOURCE_FAMILIES, EntriesNotRead, list_unclaimed
from assets.ingest.voters import load_voters
from orchestration.cli import inbox_summary_lines

SPECS = {spec.folder: spec for spec in CONTACT_RECORD_SOURCES}
OPT_OUT_HEADER = "phone,received_at,channel,source,reason"
TIME = "2026-11-01T10:00:00-04:00"


def _con(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(tmp_path / "w.duckdb"))


def _write(path: Path, lines: list[str], *, ending: str = "\n", bom: bool = False, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + "".join(line + ending for line in lines).encode(encoding))
    return path


def _opt_out(number: int) -> str:
    return f"919555{number:04d},{TIME},sms,dialer,asked"


def _load(con, inbox: Path, folder: str):
    return {load.file: load for load in load_csv_source(con, inbox, SPECS[folder])}


def _quarantine(con, file: str | None = None) -> list[tuple]:
    sql = "select _file, _line, reason, raw_line from raw.quarantine"
    params = []
    if file is not None:
        sql += " where _file = ?"
        params = [file]
    return con.execute(sql + " order by _file, _line", params).fetchall()


def _assert_reconciled(con) -> None:
    """rows_read = loaded + quarantined for every file, and the rows really are there."""
    files = con.execute(
        "select source, _file, rows_read, rows_loaded, rows_quarantined from raw.ingest_files where skipped_reason is null"
    ).fetchall()
    assert files
    for source, file, read, loaded, quarantined in files:
        assert read == loaded + quarantined, file
        in_quarantine = con.execute("select count(*) from raw.quarantine where _file = ?", [file]).fetchone()[0]
        assert in_quarantine == quarantined, file


def test_unterminated_quote_costs_its_own_line_only(tmp_path):
    inbox = tmp_path / "inbox"
    lines = [OPT_OUT_HEADER] + [_opt_out(n) for n in range(2, 12)]
    lines.append(f'9195550012,{TIME},sms,"dialer,asked')  # line 12: the quote never closes
    lines += [_opt_out(n) for n in range(13, 21)]  # 8 good lines after it
    _write(inbox / "opt_outs" / "a.csv", lines)
    con = _con(tmp_path)

    load = _load(con, inbox, "opt_outs")["opt_outs/a.csv"]

    assert (load.rows_read, load.rows_loaded, load.rows_quarantined) == (19, 18, 1)
    (quarantined,) = _quarantine(con)
    assert quarantined[:2] == ("opt_outs/a.csv", 12)
    assert "unterminated quote" in quarantined[2]
    assert quarantined[3] == lines[11]
    after = con.execute("select phone, _line from raw.opt_outs where _line > 12 order by _line").fetchall()
    assert after == [(f"919555{n:04d}", n) for n in range(13, 21)]
    assert [r[0] for r in con.execute("select _line from raw.opt_outs order by _line").fetchall()] == [
        *range(2, 12), *range(13, 21)]


def test_wrong_field_counts_are_quarantined_with_the_line_kept(tmp_path):
    inbox = tmp_path / "inbox"
    short = f"9192017001,{TIME}"
    comma_in_reason = f"9192017002,{TIME},call,dialer,moved, not at this number"
    _write(inbox / "opt_outs" / "a.csv", [OPT_OUT_HEADER, short, _opt_out(3), comma_in_reason, _opt_out(5)], ending="\r\n")
    reply = f"9192017003,{TIME},STOP, please"
    _write(inbox / "inbound_sms" / "replies.csv", ["phone,received_at,body", f"9192017004,{TIME},yes", reply,
                                                    f'9192017005,{TIME},"STOP, please"'], ending="\r\n")
    con = _con(tmp_path)

    opt_outs = _load(con, inbox, "opt_outs")["opt_outs/a.csv"]
    replies = _load(con, inbox, "inbound_sms")["inbound_sms/replies.csv"]

    assert (opt_outs.rows_read, opt_outs.rows_loaded, opt_outs.rows_quarantined) == (4, 2, 2)
    assert (replies.rows_read, replies.rows_loaded, replies.rows_quarantined) == (3, 2, 1)
    assert _quarantine(con) == [
        ("inbound_sms/replies.csv", 3, "expected 3 comma-separated fields, found 4", reply),
        ("opt_outs/a.csv", 2, "expected 5 comma-separated fields, found 2", short),
        ("opt_outs/a.csv", 4, "expected 5 comma-separated fields, found 6", comma_in_reason),
    ]
    assert con.execute("select phone, _line from raw.opt_outs order by _line").fetchall() == [
        ("9195550003", 3), ("9195550005", 5)]
    assert con.execute("select body, _line from raw.inbound_sms order by _line").fetchall() == [
        ("yes", 2), ("STOP, please", 4)]


def test_excel_bom_and_crlf_file_loads_every_row_with_its_header(tmp_path):
    inbox = tmp_path / "inbox"
    lines = ["Phone , Received_At,CHANNEL,source,reason"] + [_opt_out(n) for n in range(2, 6)]
    _write(inbox / "opt_outs" / "excel.csv", lines, ending="\r\n", bom=True)
    # Latin-1 with a mark too: the file falls back to Latin-1 and the mark is still dropped.
    _write(inbox / "opt_outs" / "latin1.csv", [OPT_OUT_HEADER, f"9195550099,{TIME},sms,dialer,Muñoz asked"],
           ending="\r\n", bom=True, encoding="latin-1")
    con = _con(tmp_path)

    loads = _load(con, inbox, "opt_outs")

    assert (loads["opt_outs/excel.csv"].rows_read, loads["opt_outs/excel.csv"].rows_loaded) == (4, 4)
    assert loads["opt_outs/latin1.csv"].encoding == "latin-1"
    rows = con.execute("select phone, received_at, channel, reason, _line from raw.opt_outs order by _file, _line").fetchall()
    assert rows[:4] == [(f"919555{n:04d}", TIME, "sms", "asked", n) for n in range(2, 6)]
    assert rows[4] == ("9195550099", TIME, "sms", "Muñoz asked", 2)
    assert _quarantine(con) == []


def test_actblue_export_with_bom_crlf_nul_and_a_broken_quote(tmp_path):
    inbox = tmp_path / "inbox"
    header = "Receipt ID,Date,Amount,Donor First Name,Donor Last Name,Donor Phone,Reserved,Reserved,Text Message Opt In"
    lines = [header, "AB1,2026-01-02 10:00:00,25,Ann,\"Lee, Jr\",919-555-0142,,,true",
             'AB2,2026-01-02 10:00:00,25,Bo,"Unclosed,919-555-0143,,,true',
             "AB3,2026-01-03 10:00:00,10,Cy,Dee,919-555-0144,,,false",
             "AB4,2026-01-03 10:00:00,10,Di,Ex\x00,919-555-0145,,,false",
             "AB5,2026-01-04 10:00:00,5,Ed,Fox,919-555-0146,,,true"]
    _write(inbox / "donations" / "export.csv", lines, ending="\r\n", bom=True)
    con = _con(tmp_path)

    (load,) = load_donations(con, inbox)

    assert (load.rows_read, load.rows_loaded, load.rows_quarantined) == (5, 3, 2)
    assert con.execute("select receipt_id, donor_last_name, text_message_opt_in, _line from raw.donations order by _line").fetchall() == [
        ("AB1", "Lee, Jr", "true", 2), ("AB3", "Dee", "false", 4), ("AB5", "Fox", "true", 6)]
    assert [(line, reason) for _, line, reason, _ in _quarantine(con)] == [
        (3, "unparseable CSV line: unterminated quote"), (5, "NUL byte")]


def test_nul_byte_line_is_quarantined_and_the_rest_loads(tmp_path):
    inbox = tmp_path / "inbox"
    bad = f"9195550003,{TIME},sms,dia\x00ler,asked"
    _write(inbox / "opt_outs" / "a.csv", [OPT_OUT_HEADER, _opt_out(2), bad, _opt_out(4)])
    con = _con(tmp_path)

    load = _load(con, inbox, "opt_outs")["opt_outs/a.csv"]

    assert (load.rows_read, load.rows_loaded, load.rows_quarantined) == (3, 2, 1)
    assert _quarantine(con) == [("opt_outs/a.csv", 3, "NUL byte", bad)]
    assert [r[0] for r in con.execute("select _line from raw.opt_outs order by _line").fetchall()] == [2, 4]


def test_nul_byte_in_a_tab_file_is_quarantined(tmp_path):
    inbox = tmp_path / "inbox"
    good = "\t".join(["ORA", "1"] + [""] * (len(FL_VOTER_COLUMNS) - 2))
    bad = "\t".join(["ORA", "2\x00"] + [""] * (len(FL_VOTER_COLUMNS) - 2))
    _write(inbox / "voters" / "ORA_20261120.txt", [good, bad, good.replace("\t1\t", "\t3\t", 1)])
    con = _con(tmp_path)

    (load,) = load_voters(con, inbox)

    assert (load.rows_read, load.rows_loaded, load.rows_quarantined) == (3, 2, 1)
    assert [(line, reason) for _, line, reason, _ in _quarantine(con)] == [(2, "NUL byte")]
    assert con.execute("select voter_id, _line from raw.fl_voters order by _line").fetchall() == [("1", 1), ("3", 3)]


@pytest.mark.parametrize("folder", sorted(SPECS))
def test_subfolders_are_read_and_their_hidden_files_listed(tmp_path, folder):
    inbox = tmp_path / "inbox"
    spec = SPECS[folder]
    row = ",".join(f"{column}-value" for column in spec.columns)
    _write(inbox / folder / "2026-10" / "a.csv", [",".join(spec.columns), row])
    _write(inbox / folder / "2026-10" / ".~lock.a.csv#", ["editor lock"])
    _write(inbox / folder / ".cache" / "b.csv", [",".join(spec.columns), row])
    con = _con(tmp_path)

    loads = _load(con, inbox, folder)

    assert list(loads) == [f"{folder}/2026-10/a.csv"]
    assert con.execute(f"select _file, _line from raw.{spec.table}").fetchall() == [(f"{folder}/2026-10/a.csv", 2)]
    assert con.execute(
        "select _file, skipped_reason, rows_read, rows_loaded, rows_quarantined from raw.ingest_files "
        "where source = ? order by _file", [folder]
    ).fetchall() == [
        (f"{folder}/.cache/b.csv", "hidden file", 0, 0, 0),
        (f"{folder}/2026-10/.~lock.a.csv#", "hidden file", 0, 0, 0),
        (f"{folder}/2026-10/a.csv", None, 1, 1, 0),
    ]


def test_unclaimed_files_are_listed_and_counted_in_the_summary_and_stop_every_list(tmp_path):
    """A file no source reads is listed; unless it is hidden it may be opt-outs put in a
    misspelt folder, so the listing fails, naming it (every list waits on the listing)."""
    inbox = tmp_path / "inbox"
    _write(inbox / "opt_outs" / "a.csv", [OPT_OUT_HEADER, _opt_out(2)])
    _write(inbox / "opt_outs" / ".a.csv.123.part", ["half a pull"])
    _write(inbox / "optouts" / "march.csv", [OPT_OUT_HEADER, _opt_out(3)])
    _write(inbox / "notes.txt", ["read me"])
    _write(inbox / ".DS_Store", ["finder"])
    _write(inbox / ".synthetic-inbox", ["opt_outs/a.csv"])  # what `outreach generate` writes: no records
    families = {family.name: family for family in SOURCE_FAMILIES}
    assert families["unclaimed"].tables == ("ingest_files",)
    warehouse = tmp_path / "w.duckdb"
    con = duckdb.connect(str(warehouse))

    families["opt_outs"].load(con, inbox)
    for _ in range(2):  # a second listing replaces the first
        with pytest.raises(EntriesNotRead) as refused:
            families["unclaimed"].load(con, inbox)

    assert [name for name, _ in refused.value.errors] == ["notes.txt", "optouts/march.csv"]
    message = str(refused.value)
    assert message.startswith("2 inbox entries no source reads, which may hold opt-outs, so no list is published: ")
    assert "notes.txt: at the inbox root" in message
    assert "optouts/march.csv: optouts/ is not an inbox folder (did you mean opt_outs/?)" in message
    assert _opt_out(3).split(",")[0] not in message
    assert con.execute(
        "select source, _file, skipped_reason, rows_read from raw.ingest_files where skipped_reason is not null "
        "order by source, _file"
    ).fetchall() == [
        ("opt_outs", "opt_outs/.a.csv.123.part", "hidden file", 0),
        ("unclaimed", ".DS_Store", "hidden file", 0),
        ("unclaimed", "notes.txt", "not in a known inbox folder", 0),
        ("unclaimed", "optouts/march.csv", "not in a known inbox folder", 0),
    ]
    _assert_reconciled(con)
    # The run's warehouse is encrypted; this one is plain, so the summary reads the open connection.
    assert inbox_summary_lines(con)[0] == (
        "inbox: 1 files, 1 rows read = 1 loaded + 0 quarantined (raw.quarantine), 4 files skipped (raw.ingest_files)")
    con.close()


def test_only_hidden_entries_are_skipped_without_stopping_the_lists(tmp_path):
    inbox = tmp_path / "inbox"
    _write(inbox / "opt_outs" / "a.csv", [OPT_OUT_HEADER, _opt_out(2)])
    _write(inbox / "opt_outs" / ".a.csv.123.part", ["half a pull"])
    _write(inbox / ".DS_Store", ["finder"])
    _write(inbox / ".synthetic-inbox", ["opt_outs/a.csv"])
    assert blocking_entries(inbox) == []
    # A link that leads nowhere and a pipe, in a source's folder, cannot be read: they stop the lists.
    (inbox / "opt_outs" / "moved.csv").symlink_to(tmp_path / "gone.csv")
    (inbox / "inbound_sms").mkdir()
    os.mkfifo(inbox / "inbound_sms" / "pipe")
    assert blocking_entries(inbox) == [("inbound_sms/pipe", NOT_A_REGULAR_FILE), ("opt_outs/moved.csv", NOT_A_REGULAR_FILE)]
    with pytest.raises(EntriesNotRead, match=r"opt_outs/moved.csv: not a regular file"):
        list_unclaimed(_con(tmp_path), inbox)


@pytest.mark.parametrize("path, meant", [
    ("Opt-Outs/a.csv", "opt_outs"), ("OPT_OUTS/a.csv", "opt_outs"), ("optouts/2026/a.csv", "opt_outs"),
    ("opt_out/a.csv", "opt_outs"), ("Inbound SMS/a.csv", "inbound_sms"), ("inbound/a.csv", "inbound_sms"),
    ("contact-histroy/a.csv", "contact_history"), ("Consent/a.csv", "consents"), ("DNC/x.txt", "dnc"),
    ("misc/a.csv", None), ("a.csv", None)])
def test_a_misspelt_folder_is_named_with_the_folder_it_likely_meant(path, meant):
    assert likely_folder(path) == meant


def test_an_older_ingest_files_table_gains_the_skipped_reason_column(tmp_path):
    inbox = tmp_path / "inbox"
    _write(inbox / "opt_outs" / ".hidden.csv", [OPT_OUT_HEADER])
    con = _con(tmp_path)
    con.execute("create schema raw")
    con.execute("create table raw.ingest_files (source varchar, _file varchar, encoding varchar, layout varchar, "
                "rows_read bigint, rows_loaded bigint, rows_quarantined bigint)")
    con.execute("insert into raw.ingest_files values ('voters', 'voters/x.txt', 'utf-8', 'fl_voter_extract', 1, 1, 0)")

    ensure_bookkeeping_tables(con)
    _load(con, inbox, "opt_outs")

    assert con.execute("select _file, skipped_reason from raw.ingest_files order by _file").fetchall() == [
        ("opt_outs/.hidden.csv", "hidden file"), ("voters/x.txt", None)]


def test_a_glob_character_in_a_file_name_reads_only_that_file(tmp_path):
    inbox = tmp_path / "inbox"
    _write(inbox / "opt_outs" / "opt*.csv", [OPT_OUT_HEADER, _opt_out(1)])
    _write(inbox / "opt_outs" / "opt_more.csv", [OPT_OUT_HEADER, _opt_out(2), _opt_out(3)])
    _write(inbox / "opt_outs" / "opt[1].csv", [OPT_OUT_HEADER, _opt_out(4)])
    _write(inbox / "opt_outs" / "opt1.csv", [OPT_OUT_HEADER, _opt_out(5)])
    # The voter reader goes through DuckDB's read_csv, which globs even a parameter.
    fl_row = "\t".join(["ORA", "7"] + [""] * (len(FL_VOTER_COLUMNS) - 2))
    _write(inbox / "voters" / "ORA_?.txt", [fl_row])
    _write(inbox / "voters" / "ORA_1.txt", [fl_row.replace("\t7\t", "\t8\t", 1), fl_row.replace("\t7\t", "\t9\t", 1)])
    con = _con(tmp_path)

    loads = _load(con, inbox, "opt_outs")
    voters = {load.file: load for load in load_voters(con, inbox)}

    assert {file: load.rows_read for file, load in loads.items()} == {
        "opt_outs/opt*.csv": 1, "opt_outs/opt[1].csv": 1, "opt_outs/opt1.csv": 1, "opt_outs/opt_more.csv": 2}
    assert con.execute("select _file, phone from raw.opt_outs order by _file, _line").fetchall() == [
        ("opt_outs/opt*.csv", "9195550001"), ("opt_outs/opt1.csv", "9195550005"),
        ("opt_outs/opt[1].csv", "9195550004"), ("opt_outs/opt_more.csv", "9195550002"),
        ("opt_outs/opt_more.csv", "9195550003")]
    assert {file: load.rows_read for file, load in voters.items()} == {"voters/ORA_1.txt": 2, "voters/ORA_?.txt": 1}
    assert con.execute("select _file, voter_id from raw.fl_voters order by _file, _line").fetchall() == [
        ("voters/ORA_1.txt", "8"), ("voters/ORA_1.txt", "9"), ("voters/ORA_?.txt", "7")]


def test_every_line_lands_somewhere_and_every_file_reconciles(tmp_path):
    """A file with every kind of damage: each non-empty data line is loaded or quarantined,
    exactly once, under its own physical line number; empty lines are not counted."""
    inbox = tmp_path / "inbox"
    lines = [
        "phone,channel,attempted_at,caller_entity,disposition",  # 1
        f"9195550002,p2p_sms,{TIME},Campaign,delivered",  # 2
        f'9195550003,p2p_sms,{TIME},"Campaign,wrong_number',  # 3: unterminated quote
        f"9195550004,p2p_sms,{TIME},Campaign,wrong_number",  # 4
        "",  # 5: empty, skipped
        f"9195550006,p2p_sms,{TIME}",  # 6: too few fields
        f"9195550007,p2p_sms,{TIME},Campaign,Smith, Jones & Co,answered",  # 7: too many
        f'9195550008,p2p_sms,{TIME},"Campaign, Inc",answered',  # 8: quoted comma, fine
        f"9195550009,p2p_sms,{TIME},Camp\x00aign,answered",  # 9: NUL byte
        f'"9195550010,p2p_sms,{TIME},Campaign,answered',  # 10: unterminated quote
        f"9195550011,p2p_sms,{TIME},Campaign,answered",  # 11
    ]
    _write(inbox / "contact_history" / "dialer.csv", lines, ending="\r\n", bom=True)
    con = _con(tmp_path)

    (load,) = _load(con, inbox, "contact_history").values()

    data_lines = [number for number, text in enumerate(lines, start=1) if number > 1 and text]
    loaded = [r[0] for r in con.execute("select _line from raw.contact_history order by _line").fetchall()]
    quarantined = [r[1] for r in _quarantine(con)]
    assert loaded == [2, 4, 8, 11]
    assert quarantined == [3, 6, 7, 9, 10]
    assert sorted(loaded + quarantined) == data_lines
    assert (load.rows_read, load.rows_loaded, load.rows_quarantined) == (len(data_lines), 4, 5)
    assert [raw for _, _, _, raw in _quarantine(con)] == [lines[n - 1] for n in quarantined]
    assert con.execute("select caller_entity from raw.contact_history where _line = 8").fetchone() == ("Campaign, Inc",)
    _assert_reconciled(con)


def test_actblue_quoted_line_break_is_one_record_and_later_lines_keep_their_numbers(tmp_path):
    inbox = tmp_path / "inbox"
    header = "Receipt ID,Date,Amount,Donor First Name,Donor Last Name,Donor Phone,Comment"
    lines = [header,
             "AB1,2026-01-02,25,Ann,Lee,919-555-0142,",  # 2
             'AB2,2026-01-02,25,Bo,Cole,919-555-0143,"Go team,',  # 3: a comment over two lines
             'see you Saturday"',  # 4
             'AB3,2026-01-03,10,Cy,"Dee,919-555-0144,',  # 5: the quote never closes
             "AB4,2026-01-03,10,Di,Eve,919-555-0145,",  # 6
             'AB5,2026-01-04,5,Ed,"Fox, Jr",919-555-0146,"ok"']  # 7
    _write(inbox / "donations" / "export.csv", lines, ending="\r\n")
    con = _con(tmp_path)

    (load,) = load_donations(con, inbox)

    assert (load.rows_read, load.rows_loaded, load.rows_quarantined) == (5, 4, 1)
    assert con.execute("select receipt_id, donor_last_name, _line from raw.donations order by _line").fetchall() == [
        ("AB1", "Lee", 2), ("AB2", "Cole", 3), ("AB4", "Eve", 6), ("AB5", "Fox, Jr", 7)]
    assert _quarantine(con) == [("donations/export.csv", 5, "unparseable CSV line: unterminated quote", lines[4])]


@pytest.mark.parametrize("longest", [0, 1_000, 1_048_000, 2_097_100, 2_097_200, 3_000_000])
@pytest.mark.parametrize("where", ["first", "middle", "last"])
def test_duckdb_line_limit_is_above_every_line(tmp_path, longest, where):
    """The shortcut that skips the longest-line scan (every 1 MB block holds a line end) never
    gives DuckDB a limit a line reaches: DuckDB would cut it or drop it silently."""
    from assets.ingest.reading import _duckdb_line_size, longest_line_bytes

    ordinary = ["x" * 300] * 12_000  # about 3.6 MB, so neither small-file rule applies
    position = {"first": 0, "middle": len(ordinary) // 2, "last": len(ordinary)}[where]
    lines = ordinary[:position] + ["y" * longest] + ordinary[position:]
    path = tmp_path / "f.txt"
    path.write_bytes(("\n".join(lines)).encode())
    assert _duckdb_line_size(path) >= longest_line_bytes(path) + 16


def test_an_opt_out_file_whose_layout_is_not_read_keeps_every_line_and_every_bad_file_is_named(tmp_path):
    """Each line of an opt-out file is an opt-out, read or not: a file whose layout fails
    (semicolons, a header-less list, a column named otherwise, a Windows-1252 file) has every
    line quarantined, the other files still load, and the one error names every such file."""
    from assets.ingest.reading import FilesNotRead

    inbox = tmp_path / "inbox"
    _write(inbox / "opt_outs" / "good.csv", [OPT_OUT_HEADER, _opt_out(1)])
    _write(inbox / "opt_outs" / "semicolons.csv", [OPT_OUT_HEADER.replace(",", ";"), _opt_out(2).replace(",", ";")])
    _write(inbox / "opt_outs" / "headerless.csv", ["919-555-0003", "", "(919) 555-0004"])
    _write(inbox / "opt_outs" / "renamed.csv", ["Phone Number,Date", f"9195550005,{TIME}"])
    _write(inbox / "opt_outs" / "cp1252.csv", ["T\u00e9l\u00e9phone \u2013 num\u00e9ro", "9195550006"], encoding="cp1252")
    con = _con(tmp_path)
    with pytest.raises(FilesNotRead) as refused:
        load_csv_source(con, inbox, SPECS["opt_outs"])
    message = str(refused.value)
    assert message.startswith("4 files cannot be read: opt_outs/cp1252.csv: ")
    assert all(name in message for name in ("cp1252.csv", "headerless.csv", "renamed.csv", "semicolons.csv"))
    assert "555" not in message  # names and what was expected, never a number
    assert con.execute("select count(*) from raw.opt_outs").fetchone()[0] == 1
    kept = {(file, line): text for file, line, _, text in _quarantine(con)}
    assert {key for key in kept} == {
        ("opt_outs/semicolons.csv", 1), ("opt_outs/semicolons.csv", 2), ("opt_outs/headerless.csv", 1),
        ("opt_outs/headerless.csv", 3), ("opt_outs/renamed.csv", 1), ("opt_outs/renamed.csv", 2),
        ("opt_outs/cp1252.csv", 1), ("opt_outs/cp1252.csv", 2)}
    assert kept[("opt_outs/headerless.csv", 3)] == "(919) 555-0004"
    reasons = {reason for file, _, reason, _ in _quarantine(con) if file == "opt_outs/renamed.csv"}
    assert len(reasons) == 1 and reasons.pop().startswith("the file's layout is not read: opt_outs/renamed.csv: ")
    _assert_reconciled(con)

    # Replies, consents and the like mean something only once read: nothing of theirs is kept.
    _write(inbox / "inbound_sms" / "renamed.csv", ["From,Body", "9195550007,STOP"])
    _write(inbox / "inbound_sms" / "other.csv", ["from;body", "9195550008;STOP"])
    with pytest.raises(FilesNotRead) as refused:
        load_csv_source(con, inbox, SPECS["inbound_sms"])
    assert str(refused.value).startswith("2 files cannot be read: inbound_sms/other.csv: ")
    assert _quarantine(con, "inbound_sms/renamed.csv") == []


def test_a_phone_column_that_lost_digits_to_scientific_notation_stops_its_family(tmp_path):
    """A spreadsheet writes a number column as 9.19555E+09: the numbers, and the opt-outs or
    replies of their lines, are lost. The file is refused naming its first such line (never
    the value); an opt-out file has every line quarantined (C07 keeps the numbers the others
    hold); a file whose scientific notation writes every digit loads."""
    from assets.ingest.reading import FilesNotRead

    inbox = tmp_path / "inbox"
    _write(inbox / "opt_outs" / "good.csv", [OPT_OUT_HEADER, _opt_out(1), f"9.195550123E+09,{TIME},all,sheet,"])
    _write(inbox / "opt_outs" / "excel.csv", [OPT_OUT_HEADER, _opt_out(2), f"9.19555E+09,{TIME},all,sheet,",
                                              f"1.91956E+10,{TIME},all,sheet,"])
    con = _con(tmp_path)
    with pytest.raises(FilesNotRead) as refused:
        load_csv_source(con, inbox, SPECS["opt_outs"])
    message = str(refused.value)
    assert message.startswith("opt_outs/excel.csv: line 3: a phone in scientific notation that lost digits")
    assert "19555" not in message and "0002" not in message
    assert con.execute("select distinct _file from raw.opt_outs").fetchall() == [("opt_outs/good.csv",)]
    assert [(line, text) for _, line, _, text in _quarantine(con, "opt_outs/excel.csv")] == [
        (1, OPT_OUT_HEADER), (2, _opt_out(2)), (3, f"9.19555E+09,{TIME},all,sheet,"),
        (4, f"1.91956E+10,{TIME},all,sheet,")]
    _assert_reconciled(con)

    # A reply file is refused too: its lines mean something only once read.
    _write(inbox / "inbound_sms" / "excel.csv", ["phone,received_at,body", f"9.19555E+09,{TIME},STOP"])
    with pytest.raises(FilesNotRead) as refused:
        load_csv_source(con, inbox, SPECS["inbound_sms"])
    assert str(refused.value).startswith("inbound_sms/excel.csv: line 2: ")
    assert con.execute("select count(*) from raw.inbound_sms").fetchone()[0] == 0
