"""Writing one list version (CONTRACT section 7): files under a temporary name, renamed into
place when complete, then `LATEST` replaced atomically. A reader never sees half a list."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb

from configuration.permissions import fsync_dir, published_modes, set_published_modes

from .exports.profiles import CONTACT_COLUMNS, SOURCE_COLUMNS, UNNEUTRALIZED_SOURCE_COLUMNS, export_profile
from .sql_text import ident, sql_string


# Text cells a spreadsheet would run as a formula get a leading apostrophe.
_FORMULA_START = r"^[=+\-@\t\r]"


def neutralized(column: str) -> str:
    return (f"case when regexp_matches({column}, '{_FORMULA_START}') then '''' || {column} "
            f"else {column} end as {column}")


# The order every file of a version has its rows in: best score first.
PUBLISH_ORDER = "order by score desc, contact_id"
# The version's rows, neutralized and sorted once, that every file is written from.
PUBLISH_ROWS = "temp.main._publish_rows"


def profile_source_select(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """Every field an export profile reads, neutralized like contacts.csv, in the same order.
    A members table without zip5 or voter_id (built before they existed) gives nulls there."""
    present = {row[0] for row in con.execute(f"select * from {table} limit 0").description}
    columns = []
    for column in SOURCE_COLUMNS:
        if column not in present:
            columns.append(f"null::varchar as {ident(column)}")
        elif column in UNNEUTRALIZED_SOURCE_COLUMNS:
            columns.append(column)
        else:
            columns.append(neutralized(column))
    return f"select {', '.join(columns)} from {table} {PUBLISH_ORDER}"


def _copy(con: duckdb.DuckDBPyConnection, select: str, path: Path, options: str) -> int:
    """Rows written."""
    return con.execute(f"copy ({select}) to {sql_string(str(path))} ({options})").fetchone()[0]


def _keeps_insertion_order(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(con.execute("select current_setting('preserve_insertion_order')").fetchone()[0])


def next_version(list_dir: Path, as_of: datetime) -> str:
    stamp = as_of.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    existing = {p.name for p in list_dir.iterdir()} if list_dir.exists() else set()
    sequence = 1
    while f"{stamp}-{sequence:03d}" in existing:
        sequence += 1
    return f"{stamp}-{sequence:03d}"


def file_entry(path: Path) -> dict:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return {"sha256": digest.hexdigest(), "bytes": path.stat().st_size}


def latest_version(list_dir: Path) -> str | None:
    latest = list_dir / "LATEST"
    return latest.read_text().strip() or None if latest.exists() else None


class LatestWouldMoveBackwards(RuntimeError):
    """LATEST points at a version with a later as-of than the one being published."""


def latest_as_of(list_dir: Path) -> tuple[str, datetime] | None:
    """(version, as-of) of the version LATEST points at; None when there is none or its
    manifest cannot be read (then there is nothing newer to protect)."""
    version = latest_version(list_dir)
    if not version:
        return None
    try:
        manifest = json.loads((list_dir / version / "manifest.json").read_text())
        return version, datetime.fromisoformat(manifest["as_of"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def backwards_problem(list_dir: Path, as_of: datetime) -> str | None:
    """The reason not to move LATEST, when it points at a version with a later as-of."""
    current = latest_as_of(list_dir)
    if current is not None and current[1] > as_of:
        return f"LATEST version {current[0]} has as-of {current[1].isoformat()} later than this run's; not moved backwards"
    return None


def publish_version(
    con: duckdb.DuckDBPyConnection,
    *,
    published: Path,
    list_name: str,
    members_table: str,
    decisions_table: str,
    manifest_fields: dict,
    as_of: datetime,
    expires_hours: int,
    exports: tuple[str, ...] = (),
    publish_mode: str = "private",
) -> tuple[str, dict]:
    """Write the version and point LATEST at it; returns (version, manifest). `exports` names
    export profiles (assets/exports) whose files are written beside contacts.csv; `publish_mode`
    (lists.yaml) says who besides the owner may read them (configuration/permissions.py)."""
    file_mode, dir_mode = published_modes(publish_mode)
    list_dir = published / list_name
    list_dir.mkdir(parents=True, exist_ok=True)
    for folder in (published, list_dir):
        os.chmod(folder, dir_mode)
    # LATEST never moves to an older as-of (a replay must not hide later opt-outs).
    problem = backwards_problem(list_dir, as_of)
    if problem:
        raise LatestWouldMoveBackwards(f"{list_name}: {problem}")
    version = next_version(list_dir, as_of)
    staging = list_dir / f"{STAGING_PREFIX}{version}-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        # Sorted once, then every file reads the rows in that order: DuckDB keeps a table's
        # insertion order for a read without ORDER BY (preserve_insertion_order, on by
        # default). Three sorts of a 4.4-million-row list cost 7.5 s; one costs 2.5 s.
        con.execute(f"create or replace temp table {PUBLISH_ROWS} as {profile_source_select(con, members_table)}")
        in_order = "" if _keeps_insertion_order(con) else PUBLISH_ORDER
        source_rows = f"select * from {PUBLISH_ROWS} {in_order}"
        # The export profiles are rendered with pyarrow, as the API renders them from
        # profile_source.parquet (assets/exports), each in a thread of its own while DuckDB
        # writes the other files: pyarrow and DuckDB both work outside the GIL.
        source = con.sql(source_rows).to_arrow_table() if exports else None
        with ThreadPoolExecutor(max_workers=max(1, len(exports))) as renderers:
            rendering = {name: renderers.submit(export_profile, source, name, staging) for name in exports}
            contacts = f"select {', '.join(ident(c) for c in CONTACT_COLUMNS)} from {PUBLISH_ROWS} {in_order}"
            _copy(con, contacts, staging / "contacts.csv", "header, delimiter ','")
            _copy(con, contacts, staging / "contacts.parquet", "format parquet")
            _copy(con, f"select * from {decisions_table} order by contact_id", staging / "decisions.parquet", "format parquet")
            row_count = _copy(con, source_rows, staging / "profile_source.parquet", "format parquet")
            written = {name: future.result() for name, future in rendering.items()}
        names = ["contacts.csv", "contacts.parquet", "decisions.parquet", "profile_source.parquet"]
        with ThreadPoolExecutor(max_workers=2) as hashers:  # hashlib hashes outside the GIL
            files = dict(zip(names, hashers.map(file_entry, [staging / name for name in names])))
        for entry in written.values():
            files.update({part["name"]: {"sha256": part["sha256"], "bytes": part["bytes"]} for part in entry["parts"]})
        manifest = {
            "list": list_name,
            "version": version,
            **manifest_fields,
            "as_of": as_of.isoformat(),
            "expires_at": (as_of + timedelta(hours=expires_hours)).isoformat(),
            "row_count": row_count,
            "files": files,
            "exports": written,
            "published_at": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
        }
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=False) + "\n")
        set_published_modes(staging, publish_mode)
        for path in staging.iterdir():
            with path.open("rb") as handle:
                os.fsync(handle.fileno())
        os.rename(staging, list_dir / version)
        # Without this a power cut can lose the rename while LATEST (below) survives it.
        fsync_dir(list_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        try:
            con.execute(f"drop table if exists {PUBLISH_ROWS}")
        except duckdb.Error:
            pass  # the connection is gone, and its temp tables with it
    # Checked again right before the pointer moves: another writer may have moved it since.
    problem = backwards_problem(list_dir, as_of)
    if problem:
        shutil.rmtree(list_dir / version, ignore_errors=True)
        raise LatestWouldMoveBackwards(f"{list_name}: {problem}")
    pointer = list_dir / f"{POINTER_PREFIX}{os.getpid()}"
    with pointer.open("w") as handle:
        handle.write(version + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(pointer, file_mode)
    os.replace(pointer, list_dir / "LATEST")
    fsync_dir(list_dir)
    return version, manifest


# Names of a version being written and of LATEST being replaced; a run that dies leaves them.
STAGING_PREFIX = ".tmp-"
POINTER_PREFIX = ".LATEST."


def remove_stale_leftovers(published: Path) -> list[str]:
    """Delete the temporary version folders and pointer files of runs that died mid-publish.

    Only called while holding HOME's run lock (orchestration/home_lock.py), so no live writer
    owns them. A temporary folder holds a whole list (names and phones): it must not linger.
    Returns what was removed, relative to `published`.
    """
    removed = []
    if not published.is_dir():
        return removed
    for list_dir in sorted(p for p in published.iterdir() if p.is_dir() and not p.is_symlink()):
        for entry in sorted(list_dir.iterdir()):
            if entry.name.startswith(STAGING_PREFIX) and entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            elif entry.name.startswith(POINTER_PREFIX) and not entry.is_dir():
                entry.unlink(missing_ok=True)
            else:
                continue
            removed.append(f"{list_dir.name}/{entry.name}")
        if removed and removed[-1].startswith(f"{list_dir.name}/"):
            fsync_dir(list_dir)
    return removed
