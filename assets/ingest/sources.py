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
from .reading import FileLoad
from .volunteers import load_volunteers
from .voters import HISTORY_TABLES, VOTER_TABLES, load_vote_history, load_voters


@dataclass(frozen=True)
class SourceFamily:
    name: str
    tables: tuple[str, ...]
    load: Callable[[duckdb.DuckDBPyConnection, Path], list[FileLoad]]
    description: str


SOURCE_FAMILIES = [
    SourceFamily("voters", tuple(VOTER_TABLES), load_voters, "State voter files (NC ncvoter, Florida extract)."),
    SourceFamily("vote_history", tuple(HISTORY_TABLES), load_vote_history, "State vote history (NC ncvhis, Florida history)."),
    SourceFamily("donations", ("donations",), load_donations, "ActBlue contribution exports."),
    SourceFamily("volunteers", ("volunteers",), load_volunteers, "Mobilize attendance pages."),
    SourceFamily("dnc", ("dnc_entries",), load_dnc, "Federal and state do-not-call snapshots."),
] + [
    SourceFamily(spec.folder, (spec.table,), partial(load_csv_source, spec=spec), f"{spec.folder} CSV files.")
    for spec in CONTACT_RECORD_SOURCES
]
