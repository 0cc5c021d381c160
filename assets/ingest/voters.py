"""State voter files: North Carolina (header, by name) and Florida (no header, by position),
registration and vote history. Files are recognised by their content, not their names."""

from __future__ import annotations

from pathlib import Path

import duckdb

from .layouts import (
    FL_VOTE_HISTORY_COLUMNS,
    FL_VOTER_COLUMNS,
    NC_VOTE_HISTORY_COLUMNS,
    NC_VOTE_HISTORY_REQUIRED,
    NC_VOTER_COLUMNS,
    NC_VOTER_RENAMED,
    NC_VOTER_REQUIRED,
)
from .reading import (
    DEFAULT_OPTIONS,
    FileLoad,
    InboxFile,
    LayoutError,
    ReadOptions,
    first_line,
    load_tab_file,
    open_inbox_file,
    reset_source,
    source_files,
)

VOTER_TABLES = {"nc_voters": NC_VOTER_COLUMNS, "fl_voters": FL_VOTER_COLUMNS}
HISTORY_TABLES = {"nc_vote_history": NC_VOTE_HISTORY_COLUMNS, "fl_vote_history": FL_VOTE_HISTORY_COLUMNS}


def load_voters(con: duckdb.DuckDBPyConnection, inbox: Path, options: ReadOptions = DEFAULT_OPTIONS) -> list[FileLoad]:
    reset_source(con, "voters", VOTER_TABLES)
    loads = []
    for path, rel in source_files(con, inbox, "voters"):
        with open_inbox_file(path, rel, options, utf8=True) as file:
            loads.append(_load_voter_file(con, file, options))
    return loads


def _load_voter_file(con, file: InboxFile, options: ReadOptions) -> FileLoad:
    encoding = "utf-8"  # open_inbox_file converted any other
    fields = _first_line_fields(file, encoding, options)
    if "ncid" in fields:
        return _load_nc(con, "voters", "nc_voters", file, encoding, fields, NC_VOTER_COLUMNS, NC_VOTER_REQUIRED,
                        NC_VOTER_RENAMED, _nc_voter_layout(fields), options)
    if len(fields) == len(FL_VOTER_COLUMNS):
        return load_tab_file(con, source="voters", table="fl_voters", path=file.path, rel_path=file.name,
                             encoding=encoding, layout="fl_voter_extract", field_names=FL_VOTER_COLUMNS,
                             has_header=False, max_line_bytes=options.max_line_bytes,
                             recorded_encoding=file.encoding_label(encoding))
    raise LayoutError(
        f"{file.name}: not a voter file this pipeline knows. Expected a North Carolina ncvoter file "
        "(tab-separated header row naming ncid, full_phone_number, ...) or a Florida voter extract "
        f"(38 tab-separated fields, no header); the first line has {len(fields)} tab-separated fields."
    )


def load_vote_history(con: duckdb.DuckDBPyConnection, inbox: Path,
                      options: ReadOptions = DEFAULT_OPTIONS) -> list[FileLoad]:
    reset_source(con, "vote_history", HISTORY_TABLES)
    loads = []
    for path, rel in source_files(con, inbox, "vote_history"):
        with open_inbox_file(path, rel, options, utf8=True) as file:
            loads.append(_load_history_file(con, file, options))
    return loads


def _load_history_file(con, file: InboxFile, options: ReadOptions) -> FileLoad:
    encoding = "utf-8"  # open_inbox_file converted any other
    fields = _first_line_fields(file, encoding, options)
    if "ncid" in fields and "election_lbl" in fields:
        return _load_nc(con, "vote_history", "nc_vote_history", file, encoding, fields,
                        NC_VOTE_HISTORY_COLUMNS, NC_VOTE_HISTORY_REQUIRED, {}, "ncvhis", options)
    if len(fields) == len(FL_VOTE_HISTORY_COLUMNS):
        return load_tab_file(con, source="vote_history", table="fl_vote_history", path=file.path,
                             rel_path=file.name, encoding=encoding, layout="fl_voter_history",
                             field_names=FL_VOTE_HISTORY_COLUMNS, has_header=False,
                             max_line_bytes=options.max_line_bytes, recorded_encoding=file.encoding_label(encoding))
    raise LayoutError(
        f"{file.name}: not a vote history file this pipeline knows. Expected a North Carolina ncvhis file "
        "(tab-separated header row naming ncid, election_lbl, ...) or a Florida history file "
        f"(5 tab-separated fields, no header); the first line has {len(fields)} tab-separated fields."
    )


def _load_nc(con, source, table, file: InboxFile, encoding, header, known, required, renamed, layout,
             options: ReadOptions) -> FileLoad:
    names = [renamed.get(name, name) for name in header]
    missing = [name for name in required if name not in names]
    if missing:
        raise LayoutError(f"{file.name}: the header lacks the column(s) {', '.join(missing)} (layout {layout}).")
    column_map = {original: name for original, name in zip(header, names) if name in known}
    return load_tab_file(con, source=source, table=table, path=file.path, rel_path=file.name, encoding=encoding,
                         layout=layout, field_names=header, has_header=True, column_map=column_map,
                         max_line_bytes=options.max_line_bytes, recorded_encoding=file.encoding_label(encoding))


def _first_line_fields(file: InboxFile, encoding: str, options: ReadOptions) -> list[str]:
    # DuckDB ends a line at a lone CR too (an old Mac file): its first line is the header.
    return first_line(file.path, encoding, file.name, options.max_line_bytes).split("\r", 1)[0].split("\t")


def _nc_voter_layout(header: list[str]) -> str:
    if header == NC_VOTER_COLUMNS:
        return "ncvoter_2022"
    if "birth_age" in header:
        return "ncvoter_pre2022"
    return "ncvoter_other"
