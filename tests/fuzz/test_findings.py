"""Issue 11's bad-input findings, one test each, on the real loaders and a real DuckDB file:
an over-long line at the end or in the middle of a voter file, NUL bytes in a Mobilize name,
an impossible date in a DNC file name, a gzipped and a zipped voter file, UTF-16, a voter
file that is not quite UTF-8. The policy's `max_line_bytes` is validated and applied."""

from __future__ import annotations

import gzip
import io
import json
import zipfile
from pathlib import Path

import duckdb
import pytest
import yaml

from assets.ingest.contact_records import CONTACT_RECORD_SOURCES, load_csv_source
from assets.ingest.dnc import load_dnc
from assets.ingest.layouts import NC_VOTER_COLUMNS
from assets.ingest.reading import LayoutError
from assets.ingest.volunteers import load_volunteers
from assets.ingest.voters import load_voters

# Over DuckDB's own 2 MB line limit, which the old reader ran into.
BIG = 3_000_000
OPT_OUTS = next(spec for spec in CONTACT_RECORD_SOURCES if spec.folder == "opt_outs")


def _voter_line(number: int, first_name: str = "Ann") -> str:
    row = {column: "" for column in NC_VOTER_COLUMNS}
    row.update({"county_id": "92", "ncid": f"AA{number:05d}", "last_name": "Case", "first_name": first_name,
                "status_cd": "A", "full_phone_number": f"919555{number:04d}", "confidential_ind": "N"})
    return "\t".join(row[column] for column in NC_VOTER_COLUMNS)


def _voter_file(lines: list[str]) -> bytes:
    return ("\t".join(NC_VOTER_COLUMNS) + "\n" + "".join(line + "\n" for line in lines)).encode()


def _write(inbox: Path, rel: str, data: bytes) -> Path:
    path = inbox / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _files(con) -> list[tuple]:
    return con.execute("select _file, encoding, rows_read, rows_loaded, rows_quarantined from raw.ingest_files "
                       "where skipped_reason is null order by _file").fetchall()


def _quarantine(con) -> list[tuple]:
    return con.execute("select _file, _line, reason from raw.quarantine order by _file, _line").fetchall()


@pytest.fixture
def con(tmp_path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as connection:
        yield connection


def test_an_over_long_last_line_is_quarantined_not_lost(tmp_path, con):
    lines = [_voter_line(n) for n in range(45)] + ["x" * BIG]
    _write(tmp_path, "voters/ncvoter74.txt", _voter_file(lines)[:-1])  # the last line has no line end, too
    load_voters(con, tmp_path)
    assert _files(con) == [("voters/ncvoter74.txt", "utf-8", 46, 45, 1)]
    assert _quarantine(con) == [("voters/ncvoter74.txt", 47, f"line of {BIG} bytes is longer than max_line_bytes (65536)")]


def test_an_over_long_line_mid_file_costs_that_line_only(tmp_path, con):
    lines = [_voter_line(n) for n in range(19)] + ["y" * BIG] + [_voter_line(n) for n in range(19, 30)]
    _write(tmp_path, "voters/ncvoter74.txt", _voter_file(lines))
    load_voters(con, tmp_path)
    assert _files(con) == [("voters/ncvoter74.txt", "utf-8", 31, 30, 1)]
    assert _quarantine(con) == [("voters/ncvoter74.txt", 21, f"line of {BIG} bytes is longer than max_line_bytes (65536)")]
    assert con.execute("select max(_line) from raw.nc_voters").fetchone() == (32,)


def test_a_long_opt_out_line_is_kept_whole_so_its_numbers_still_suppress(tmp_path, con):
    long_line = "9195550101," + "z" * 70_000 + " call me never 9195550102"
    _write(tmp_path, "opt_outs/o.csv", ("phone,received_at,channel,source,reason\n"
                                        "9195550100,2026-11-01T10:00:00-04:00,all,web,asked\n" + long_line + "\n").encode())
    load_csv_source(con, tmp_path, OPT_OUTS)
    assert _files(con) == [("opt_outs/o.csv", "utf-8", 2, 1, 1)]
    raw_line, reason = con.execute("select raw_line, reason from raw.quarantine").fetchone()
    assert raw_line == long_line and "longer than max_line_bytes" in reason


def test_a_nul_in_a_mobilize_name_never_reaches_a_table(tmp_path, con):
    record = {"id": 1, "person": {"id": 7, "given_name": "An\u0000n", "family_name": "Case",
                                  "phone_numbers": [{"number": "9195550100", "primary": True}]}}
    clean = {"id": 2, "person": {"id": 8, "given_name": "Bo", "family_name": "Case"}}
    _write(tmp_path, "volunteers/page.json", json.dumps({"data": [record, clean], "next": None}).encode())
    load_volunteers(con, tmp_path)
    assert con.execute("select count(*) from raw.volunteers where contains(given_name, chr(0))").fetchone() == (0,)
    assert _quarantine(con) == [("volunteers/page.json", 1, "NUL byte")]
    assert _files(con) == [("volunteers/page.json", "utf-8", 2, 1, 1)]


def test_a_mobilize_record_with_a_non_object_event_is_quarantined(tmp_path, con):
    record = {"id": 1, "person": {"id": 7}, "event": "gotv canvass"}
    _write(tmp_path, "volunteers/page.json", json.dumps({"data": [record]}).encode())
    load_volunteers(con, tmp_path)
    assert _quarantine(con) == [("volunteers/page.json", 1, "attendance whose event or timeslot is not an object")]


def test_an_impossible_date_in_a_dnc_name_is_refused_at_ingest_naming_the_file(tmp_path, con):
    _write(tmp_path, "dnc/federal/dnc_full_20261399.txt", b"9195550100\n")
    with pytest.raises(LayoutError) as error:
        load_dnc(con, tmp_path)
    assert str(error.value).startswith("dnc/federal/dnc_full_20261399.txt: the date in the name, 20261399, is not a real day")


def test_a_gzipped_voter_file_is_read_as_it_is(tmp_path, con):
    _write(tmp_path, "voters/ncvoter74.txt.gz", gzip.compress(_voter_file([_voter_line(n) for n in range(3)])))
    load_voters(con, tmp_path)
    assert _files(con) == [("voters/ncvoter74.txt.gz", "utf-8", 3, 3, 0)]
    assert con.execute("select _file, _line from raw.nc_voters order by _line").fetchall() == [
        ("voters/ncvoter74.txt.gz", 2), ("voters/ncvoter74.txt.gz", 3), ("voters/ncvoter74.txt.gz", 4)]


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("__MACOSX/", b"")  # macOS metadata: not a member that counts
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_the_state_zip_is_read_with_lines_counted_in_its_member(tmp_path, con):
    lines = [_voter_line(0), "too\tfew", _voter_line(1)]
    _write(tmp_path, "voters/ncvoter_Statewide.zip", _zip({"ncvoter_Statewide.txt": _voter_file(lines)}))
    load_voters(con, tmp_path)
    name = "voters/ncvoter_Statewide.zip!ncvoter_Statewide.txt"
    assert _files(con) == [(name, "utf-8", 3, 2, 1)]
    assert _quarantine(con) == [(name, 3, f"expected {len(NC_VOTER_COLUMNS)} tab-separated fields, found 2")]
    assert not list(tmp_path.rglob("inbox-*")), "the decompressed copy is removed"


@pytest.mark.parametrize("members, expected", [
    ({"a.txt": b"x", "b.txt": b"y"}, "a zip archive holding 2 files: a.txt, b.txt"),
    ({}, "a zip archive holding 0 files"),
])
def test_a_zip_without_exactly_one_file_is_refused_by_name(tmp_path, con, members, expected):
    _write(tmp_path, "voters/state.zip", _zip(members))
    with pytest.raises(LayoutError, match=r"^voters/state\.zip: " + expected):
        load_voters(con, tmp_path)


def test_corrupt_archives_are_refused_by_name(tmp_path, con):
    packed = gzip.compress(_voter_file([_voter_line(n) for n in range(50)]))
    _write(tmp_path, "voters/ncvoter74.txt.gz", packed[: len(packed) // 2])
    with pytest.raises(LayoutError, match=r"^voters/ncvoter74\.txt\.gz: a gzip file that ends early"):
        load_voters(con, tmp_path)
    (tmp_path / "voters/ncvoter74.txt.gz").unlink()
    _write(tmp_path, "voters/ncvoter74.zip", _zip({"ncvoter74.txt": b"x" * 1000})[:-30])
    with pytest.raises(LayoutError, match=r"^voters/ncvoter74\.zip: a zip archive that cannot be read"):
        load_voters(con, tmp_path)


def test_utf16_is_converted_and_broken_utf16_refused_by_name(tmp_path, con):
    text = _voter_file([_voter_line(0, "Zoë"), _voter_line(1)]).decode()
    _write(tmp_path, "voters/ncvoter74.txt", text.encode("utf-16"))
    _write(tmp_path, "voters/ncvoter75.txt", text.encode("utf-16-le"))  # no byte-order mark
    load_voters(con, tmp_path)
    assert _files(con) == [("voters/ncvoter74.txt", "utf-16", 2, 2, 0), ("voters/ncvoter75.txt", "utf-16-le", 2, 2, 0)]
    assert con.execute("select first_name from raw.nc_voters order by _file, _line limit 1").fetchone() == ("Zoë",)
    _write(tmp_path, "voters/ncvoter76.txt", text.encode("utf-16")[:-1])
    with pytest.raises(LayoutError, match=r"^voters/ncvoter76\.txt: looks like UTF-16 \(a byte-order mark\) "
                                          r"but does not decode"):
        load_voters(con, tmp_path)


def test_a_voter_file_with_windows_bytes_is_read_as_latin1(tmp_path, con):
    # 0x80-0x9F (Windows-1252's curly quotes, or a UTF-8 file cut mid-character) made DuckDB's
    # own Latin-1 reader fail with no file named.
    data = _voter_file([_voter_line(0, "O\x92Neil"), _voter_line(1)]).replace(b"\xc2\x92", b"\x92")
    _write(tmp_path, "voters/ncvoter74.txt", data)
    load_voters(con, tmp_path)
    assert _files(con) == [("voters/ncvoter74.txt", "latin-1", 2, 2, 0)]


def test_other_compression_is_refused_by_name(tmp_path, con):
    import bz2

    _write(tmp_path, "voters/ncvoter74.txt.bz2", bz2.compress(_voter_file([_voter_line(0)])))
    with pytest.raises(LayoutError, match=r"^voters/ncvoter74\.txt\.bz2: compressed with bzip2, which is not read"):
        load_voters(con, tmp_path)


def test_max_line_bytes_is_validated_and_applied(tmp_path, con):
    from assets.ingest.reading import ReadOptions
    from configuration.config_files import DEFAULTS_DIR, ConfigError, load_policy

    assert load_policy(DEFAULTS_DIR / "policy.yaml").max_line_bytes == 65536
    policy = yaml.safe_load((DEFAULTS_DIR / "policy.yaml").read_text())
    for bad in (100, "64k", 2 << 30):
        path = tmp_path / "policy.yaml"
        path.write_text(yaml.safe_dump({**policy, "max_line_bytes": bad}))
        with pytest.raises(ConfigError, match="max_line_bytes"):
            load_policy(path)
    del policy["max_line_bytes"]
    path.write_text(yaml.safe_dump(policy))
    assert load_policy(path).max_line_bytes == 65536  # optional: an older copied policy still loads

    lines = [_voter_line(0), _voter_line(1, "A" * 5000)]
    _write(tmp_path / "inbox", "voters/ncvoter74.txt", _voter_file(lines))
    load_voters(con, tmp_path / "inbox", options=ReadOptions(max_line_bytes=4096))
    assert [reason for _, _, reason in _quarantine(con)] == [
        f"line of {len(lines[1].encode())} bytes is longer than max_line_bytes (4096)"]
