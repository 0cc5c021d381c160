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
from .inbox import KNOWN_FOLDERS, NOT_A_REGULAR_FILE, blocking_entries, likely_folder, unclaimed_files
from .reading import DEFAULT_OPTIONS, FileLoad, LayoutError, ReadOptions, ensure_bookkeeping_tables, record_skipped
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


class EntriesNotRead(LayoutError):
    """Inbox entries no source reads or can open (`blocking_entries`), named with where each is
    and, for a misspelt folder, the folder it likely meant."""

    def __init__(self, entries: list[tuple[str, str]]):
        named = [(rel, _where(rel, reason)) for rel, reason in entries]
        shown = "; ".join(f"{rel}: {where}" for rel, where in named[:_NAMED_ENTRIES])
        more = f" and {len(named) - _NAMED_ENTRIES} more" if len(named) > _NAMED_ENTRIES else ""
        self.errors = named
        super().__init__(
            f"{len(named)} inbox {'entry' if len(named) == 1 else 'entries'} no source reads, "
            f"which may hold opt-outs, so no list is published: {shown}{more}. Move each into its source's "
            "folder (opt_outs/, inbound_sms/, ...), or out of the inbox")


_NAMED_ENTRIES = 20


def _where(rel_path: str, reason: str) -> str:
    if reason == NOT_A_REGULAR_FILE:
        return "not a regular file (a link that leads nowhere, a pipe, a device)"
    if "/" not in rel_path:
        return "at the inbox root"
    folder = likely_folder(rel_path, KNOWN_FOLDERS)
    return f"{rel_path.split('/', 1)[0]}/ is not an inbox folder" + (f" (did you mean {folder}/?)" if folder else "")


def list_unclaimed(con: duckdb.DuckDBPyConnection, inbox: Path, options: ReadOptions = DEFAULT_OPTIONS) -> list[FileLoad]:
    """List in raw.ingest_files (source 'unclaimed', rows_read 0, with the reason) every file
    under the inbox that no source family reads: inbox root files, unknown folders.

    Then raise `EntriesNotRead` naming every entry that stops the lists (`blocking_entries`): a
    file in no source's folder that is not hidden may hold opt-outs (`Opt-Outs/march.csv`),
    and so may an entry of a source's folder that cannot be opened. Every list depends on
    this listing (assets/lists.py), so none is published while such an entry is there."""
    ensure_bookkeeping_tables(con)
    con.execute("delete from raw.ingest_files where source = ?", [UNCLAIMED])
    unclaimed = unclaimed_files(inbox, KNOWN_FOLDERS)
    loads = [record_skipped(con, UNCLAIMED, rel_path, reason) for rel_path, reason in unclaimed]
    blocking = blocking_entries(inbox, KNOWN_FOLDERS, unclaimed)
    if blocking:
        raise EntriesNotRead(blocking)
    return loads


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
