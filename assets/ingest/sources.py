"""The registry of inbox source families: the folder, the raw tables it fills, its loader."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Callable

import duckdb

from .contact_records import CONTACT_RECORD_SOURCES, load_csv_source
from .dnc import load_dnc
from .donations import load_donations
from .inbox import KNOWN_FOLDERS, unclaimed_files
from .reading import DEFAULT_OPTIONS, FileLoad, ReadOptions, ensure_bookkeeping_tables, record_skipped
from .volunteers import load_volunteers
from .voters import HISTORY_TABLES, VOTER_TABLES, load_vote_history, load_voters


@dataclass(frozen=True)
class SourceFamily:
    name: str
    tables: tuple[str, ...]
    # Called as load(con, inbox, options=ReadOptions(...)).
    load: Callable[..., list[FileLoad]]
    description: str


UNCLAIMED = "unclaimed"


def list_unclaimed(con: duckdb.DuckDBPyConnection, inbox: Path, options: ReadOptions = DEFAULT_OPTIONS) -> list[FileLoad]:
    """List in raw.ingest_files (source 'unclaimed', rows_read 0, with the reason) every file
    under the inbox that no source family reads: inbox root files, unknown folders."""
    ensure_bookkeeping_tables(con)
    con.execute("delete from raw.ingest_files where source = ?", [UNCLAIMED])
    return [record_skipped(con, UNCLAIMED, rel_path, reason) for rel_path, reason in unclaimed_files(inbox, KNOWN_FOLDERS)]


SOURCE_FAMILIES = [
    SourceFamily("voters", tuple(VOTER_TABLES), load_voters, "State voter files (NC ncvoter, Florida extract)."),
    SourceFamily("vote_history", tuple(HISTORY_TABLES), load_vote_history, "State vote history (NC ncvhis, Florida history)."),
    SourceFamily("donations", ("donations",), load_donations, "ActBlue contribution exports."),
    SourceFamily("volunteers", ("volunteers",), load_volunteers, "Mobilize attendance pages."),
    SourceFamily("dnc", ("dnc_entries",), load_dnc, "Federal and state do-not-call snapshots."),
] + [
    SourceFamily(spec.folder, (spec.table,), partial(load_csv_source, spec=spec), f"{spec.folder} CSV files.")
    for spec in CONTACT_RECORD_SOURCES
] + [
    # Its asset is raw/ingest_files: the bookkeeping table every family writes its files to;
    # this family adds the files none of them reads (it creates no raw table of its own).
    SourceFamily(UNCLAIMED, ("ingest_files",), list_unclaimed,
                 "Files in the inbox that no source reads (root files, unknown folders), listed with a skipped_reason."),
]

# The unclaimed listing must know every folder a family reads, or it would list their files too.
_folders = {family.name for family in SOURCE_FAMILIES if family.name != UNCLAIMED}
if _folders != set(KNOWN_FOLDERS):
    raise RuntimeError(f"inbox.KNOWN_FOLDERS and the source families differ: {sorted(_folders ^ set(KNOWN_FOLDERS))}")
