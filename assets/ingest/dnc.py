"""Do-not-call snapshots: federal (`dnc/federal/`) and per state (`dnc/state/<ST>/`).

A full list holds one number a line (`AAANNNNNNN` or `AAA,NNNNNNN`); a change list holds
`AAA,NNNNNNN,A` or `AAA,NNNNNNN,D`. The snapshot date comes from the file name, which the
FTC's naming fixes, and the kind is checked against the content. A name whose date is not a
real day (`dnc_full_20261399.txt`) is refused at ingest, naming the file: the snapshot date
decides how stale the list is (R20), so it is never guessed. A `.gz` or one-file `.zip` is read
by the name inside it (`dnc_full_20261118.txt.gz`, `FL.zip!dnc_full_20261118.txt`)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import duckdb

from .reading import (
    DEFAULT_OPTIONS,
    NUL_BYTE,
    FileLoad,
    InboxFile,
    LayoutError,
    ReadOptions,
    open_inbox_file,
    over_long_sql,
    read_whole_lines,
    record_file,
    reset_source,
    source_files,
)

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


def load_dnc(con: duckdb.DuckDBPyConnection, inbox: Path, options: ReadOptions = DEFAULT_OPTIONS) -> list[FileLoad]:
    reset_source(con, "dnc", {"dnc_entries": DNC_COLUMNS})
    loads = []
    for path, rel in source_files(con, inbox, "dnc"):
        list_name = dnc_list_name(rel)
        if list_name is None:
            raise LayoutError(f"{rel}: not a do-not-call file. Expected dnc/federal/ or dnc/state/<ST>/ holding "
                              f"{_EXPECTED_NAMES}.")
        with open_inbox_file(path, rel, options, utf8=True) as file:
            kind, snapshot_date = _kind_and_date(file)
            loads.append(_load_dnc_file(con, file, list_name, kind, snapshot_date, options))
    return loads


_EXPECTED_NAMES = "dnc_full_<YYYYMMDD>.txt or dnc_changes_<YYYYMMDD>.txt"


def _kind_and_date(file: InboxFile) -> tuple[str, str]:
    match = _NAME.match(file.inner_name)
    if match is None:
        raise LayoutError(f"{file.name}: not a do-not-call file. Expected dnc/federal/ or dnc/state/<ST>/ holding "
                          f"{_EXPECTED_NAMES}.")
    kind, year, month, day = match.groups()
    try:
        snapshot = date(int(year), int(month), int(day))
    except ValueError:
        raise LayoutError(f"{file.name}: the date in the name, {year}{month}{day}, is not a real day; expected "
                          f"{_EXPECTED_NAMES} with the snapshot date as YYYYMMDD.") from None
    return kind, snapshot.isoformat()


def _load_dnc_file(con, file: InboxFile, list_name: str, kind: str, snapshot_date: str,
                   options: ReadOptions) -> FileLoad:
    rel = file.name
    encoding = "utf-8"  # open_inbox_file converted any other
    pattern = _FULL_LINE if kind == "full" else _CHANGE_LINE
    action = "'A'" if kind == "full" else "upper(regexp_extract(raw, $pattern, 3))"
    read_whole_lines(con, file.path, encoding, "_all_lines", name=rel, from_latin1=file.converted_from == "latin-1")
    # An over-long line never matches: `usable` keeps the regular expression off it.
    con.execute("create or replace temp table _lines as select _line, raw, line_bytes, line_bytes <= $limit "
                "and regexp_matches(raw, $pattern) as usable from _all_lines "
                "where raw is not null and trim(raw) <> ''",
                {"limit": options.max_line_bytes, "pattern": pattern})
    con.execute("drop table _all_lines")
    con.execute(
        "insert into raw.dnc_entries "
        f"select $list, $kind, $date, regexp_extract(raw, $pattern, 1) || regexp_extract(raw, $pattern, 2), {action}, $file, _line "
        "from _lines where usable order by _line",
        {"list": list_name, "kind": kind, "date": snapshot_date, "pattern": pattern, "file": rel},
    )
    expected = "AAANNNNNNN or AAA,NNNNNNN" if kind == "full" else "AAA,NNNNNNN,A or AAA,NNNNNNN,D"
    con.execute(
        "insert into raw.quarantine select 'dnc', $file, _line, "
        f"case when line_bytes > $limit then {over_long_sql(options.max_line_bytes)} "
        "when contains(raw, chr(0)) then $nul else $reason end, raw "
        "from _lines where not usable order by _line",
        {"file": rel, "reason": f"expected a line {expected}", "nul": NUL_BYTE, "limit": options.max_line_bytes},
    )
    read, loaded = con.execute("select count(*), count(*) filter (where usable) from _lines").fetchone()
    con.execute("drop table _lines")
    return record_file(con, FileLoad("dnc", rel, file.encoding_label(encoding), f"dnc_{kind}", read, loaded, read - loaded))
