"""Do-not-call snapshots: federal (`dnc/federal/`) and per state (`dnc/state/<ST>/`).

A full list holds one number a line (`AAANNNNNNN` or `AAA,NNNNNNN`); a change list holds
`AAA,NNNNNNN,A` or `AAA,NNNNNNN,D`. The snapshot date comes from the file name, which the
FTC's naming fixes, and the kind is checked against the content."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from .reading import NUL_BYTE, FileLoad, LayoutError, detect_encoding, read_whole_lines, record_file, reset_source, source_files

DNC_COLUMNS = ["list", "file_kind", "snapshot_date", "phone", "action"]
_NAME = re.compile(r"^dnc_(full|changes)_(\d{4})(\d{2})(\d{2})\.txt$")
_FULL_LINE = r"^\s*(\d{3}),?(\d{7})\s*$"
_CHANGE_LINE = r"^\s*(\d{3}),(\d{7}),([AaDd])\s*$"


def dnc_list_name(rel_path: str) -> str | None:
    """`federal` or a two-letter state code from the folder, None for any other place."""
    parts = rel_path.split("/")
    if parts[:2] == ["dnc", "federal"] and len(parts) == 3:
        return "federal"
    if parts[:2] == ["dnc", "state"] and len(parts) == 4 and re.fullmatch(r"[A-Za-z]{2}", parts[2]):
        return parts[2].upper()
    return None


def load_dnc(con: duckdb.DuckDBPyConnection, inbox: Path) -> list[FileLoad]:
    reset_source(con, "dnc", {"dnc_entries": DNC_COLUMNS})
    loads = []
    for path, rel in source_files(con, inbox, "dnc"):
        list_name = dnc_list_name(rel)
        match = _NAME.match(path.name)
        if list_name is None or match is None:
            raise LayoutError(
                f"{rel}: not a do-not-call file. Expected dnc/federal/ or dnc/state/<ST>/ holding "
                "dnc_full_<YYYYMMDD>.txt or dnc_changes_<YYYYMMDD>.txt."
            )
        kind, year, month, day = match.groups()
        loads.append(_load_dnc_file(con, path, rel, list_name, kind, f"{year}-{month}-{day}"))
    return loads


def _load_dnc_file(con, path: Path, rel: str, list_name: str, kind: str, snapshot_date: str) -> FileLoad:
    encoding = detect_encoding(con, path)
    pattern = _FULL_LINE if kind == "full" else _CHANGE_LINE
    action = "'A'" if kind == "full" else "upper(regexp_extract(raw, $pattern, 3))"
    read_whole_lines(con, path, encoding, "_all_lines")
    con.execute("create or replace temp table _lines as select _line, raw from _all_lines "
                "where raw is not null and trim(raw) <> ''; drop table _all_lines")
    con.execute(
        "insert into raw.dnc_entries "
        f"select $list, $kind, $date, regexp_extract(raw, $pattern, 1) || regexp_extract(raw, $pattern, 2), {action}, $file, _line "
        "from _lines where regexp_matches(raw, $pattern) order by _line",
        {"list": list_name, "kind": kind, "date": snapshot_date, "pattern": pattern, "file": rel},
    )
    expected = "AAANNNNNNN or AAA,NNNNNNN" if kind == "full" else "AAA,NNNNNNN,A or AAA,NNNNNNN,D"
    con.execute(
        "insert into raw.quarantine select 'dnc', $file, _line, if(contains(raw, chr(0)), $nul, $reason), raw "
        "from _lines where not regexp_matches(raw, $pattern) order by _line",
        {"file": rel, "reason": f"expected a line {expected}", "pattern": pattern, "nul": NUL_BYTE},
    )
    read, loaded = con.execute("select count(*), count(*) filter (where regexp_matches(raw, ?)) from _lines", [pattern]).fetchone()
    con.execute("drop table _lines")
    return record_file(con, FileLoad("dnc", rel, encoding, f"dnc_{kind}", read, loaded, read - loaded))
