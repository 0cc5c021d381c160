"""Removing a forgotten number's person from the published history (every version of every
list under HOME/published, not only the one LATEST points at).

Per version that holds the number:

- `contacts.parquet`, `profile_source.parquet` and every export profile file lose the
  number's rows; `contacts.csv` is written again from the rewritten `contacts.parquet` the
  way publishing writes it, so the other rows keep their bytes.
- `decisions.parquet` keeps the number's rows (the exclusion is evidence): they become
  excluded with C08, plus an evidence entry `erased_on_request` with the erasure time. They
  hold no name (decisions never do).
- `manifest.json`: `files` (sha256 and bytes of every file), `row_count`, `exports` parts,
  `excluded`, `suppressed` (C08) and `rules` are brought up to date, and `erasures` counts
  the rows removed (never the number). `candidates` is unchanged: the row is still a
  candidate, now excluded.

Each file is rewritten atomically: written beside it under a dot name, fsynced, renamed over
it, and the folder fsynced; the manifest goes last. `LATEST` is not touched. Running it again
repairs a version a crash left half done (files already without the number are skipped,
every checksum is recomputed).
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from configuration.permissions import fsync_dir
from ..ledger.store import sql_string
from ..publishing import file_entry

RULE_ID = "C08"
TEMP_PREFIX = ".tmp-"


def version_dirs(published: Path) -> list[Path]:
    """Every complete version folder: HOME/published/<list>/<version>/manifest.json exists."""
    if not published.is_dir():
        return []
    return sorted(manifest.parent for list_dir in published.iterdir() if list_dir.is_dir()
                  and not list_dir.name.startswith(".")
                  for manifest in list_dir.glob("*/manifest.json") if not manifest.parent.name.startswith("."))


def stale_temp_dirs(published: Path) -> list[Path]:
    """Half-written version folders a crashed publish left (`.tmp-*`); they may hold contacts."""
    if not published.is_dir():
        return []
    return sorted(path for list_dir in published.iterdir() if list_dir.is_dir()
                  for path in list_dir.iterdir() if path.is_dir() and path.name.startswith(TEMP_PREFIX))


def _replace(partial: Path, target: Path) -> None:
    # The rewrite keeps the file's mode: who may read published files is publishing's choice.
    if target.exists():
        os.chmod(partial, target.stat().st_mode & 0o777)
    with partial.open("rb") as handle:
        os.fsync(handle.fileno())
    os.replace(partial, target)
    fsync_dir(target.parent)


def _partial(target: Path) -> Path:
    partial = target.with_name(f".{target.name}.forget-{os.getpid()}")
    partial.unlink(missing_ok=True)
    return partial


def _holds(con: duckdb.DuckDBPyConnection, path: Path, phone: str) -> int:
    return con.execute(f"select count(*) from read_parquet({sql_string(str(path))}) where phone_e164 = $phone",
                       {"phone": phone}).fetchone()[0]


def _drop_rows_parquet(con: duckdb.DuckDBPyConnection, path: Path, phone: str) -> None:
    partial = _partial(path)
    con.execute(f"copy (select * from read_parquet({sql_string(str(path))}) where phone_e164 is distinct from $phone) "
                f"to {sql_string(str(partial))} (format parquet)", {"phone": phone})
    _replace(partial, path)


def _contacts_csv(con: duckdb.DuckDBPyConnection, parquet: Path, csv: Path) -> None:
    partial = _partial(csv)
    # The options publishing writes contacts.csv with (assets/publishing.py).
    con.execute(f"copy (select * from read_parquet({sql_string(str(parquet))})) to {sql_string(str(partial))} "
                "(header, delimiter ',')")
    _replace(partial, csv)


_EVIDENCE = ("{'rule_id': 'C08', 'kind': 'erased_on_request', 'event_at': $at::timestamptz, "
             "'source_file': 'ledger/erasures', 'source_line': null::bigint}")


def _mark_decisions(con: duckdb.DuckDBPyConnection, path: Path, phone: str, at: datetime) -> tuple[int, int]:
    """Rows of the number: excluded with C08. Returns (rows newly marked, of them previously included)."""
    source = f"read_parquet({sql_string(str(path))})"
    columns = {row[0] for row in con.execute(f"describe select * from {source}").fetchall()}
    marked, were_included = con.execute(
        f"select count(*), count(*) filter (where included) from {source} "
        "where phone_e164 = $phone and not list_contains(rule_ids, 'C08')", {"phone": phone}).fetchone()
    if not marked:
        return 0, 0
    replaced = [
        "case when phone_e164 = $phone then false else included end as included",
        "case when phone_e164 = $phone and not list_contains(rule_ids, 'C08') "
        "then list_append(rule_ids, 'C08') else rule_ids end as rule_ids",
    ]
    if "evidence" in columns:
        replaced.append(f"case when phone_e164 = $phone and not list_contains(rule_ids, 'C08') "
                        f"then list_append(coalesce(evidence, []), {_EVIDENCE}) else evidence end as evidence")
    replaced += [f"case when phone_e164 = $phone then null else {c} end as {c}"
                 for c in ("first_name", "last_name") if c in columns]
    partial = _partial(path)
    params = {"phone": phone} | ({"at": at} if "evidence" in columns else {})
    con.execute(f"copy (select * replace ({', '.join(replaced)}) from {source}) to {sql_string(str(partial))} "
                "(format parquet)", params)
    _replace(partial, path)
    return marked, were_included


def _read_export(path: Path) -> pa.Table:
    """An export file with every column as text, exactly as written."""
    names = pacsv.open_csv(path).schema.names
    return pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(
        column_types={name: pa.string() for name in names}, quoted_strings_can_be_null=False))


def _drop_rows_csv(path: Path, phone: str) -> bool:
    """Drop the rows of an export file in which any cell is the number (E.164 or ten digits:
    profiles spell it either way)."""
    table = _read_export(path)
    hit = None
    for name in table.column_names:
        cell = pc.fill_null(pc.is_in(table[name], value_set=pa.array([phone, phone[2:]])), False)
        hit = cell if hit is None else pc.or_(hit, cell)
    if hit is None or not pc.any(hit).as_py():
        return False
    partial = _partial(path)
    pacsv.write_csv(table.filter(pc.invert(hit)), partial)
    _replace(partial, path)
    return True


def scrub_version(version_dir: Path, phone: str, at: datetime, rule: dict) -> dict[str, int] | None:
    """Remove the number's person from one version; None when the version does not hold it."""
    manifest_path = version_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    contacts, contacts_csv = version_dir / "contacts.parquet", version_dir / "contacts.csv"
    con = duckdb.connect()
    try:
        con.execute("set TimeZone = 'UTC'")
        holding = {name: _holds(con, version_dir / name, phone)
                   for name in ("contacts.parquet", "decisions.parquet", "profile_source.parquet")
                   if (version_dir / name).is_file()}
        removed = holding.get("contacts.parquet", 0)
        changed = False
        if removed:
            _drop_rows_parquet(con, contacts, phone)
            changed = True
        # Also when only the CSV still has the row (a crash between the two rewrites).
        if contacts_csv.is_file() and contacts.is_file() and (removed or phone.encode() in contacts_csv.read_bytes()):
            _contacts_csv(con, contacts, contacts_csv)
            changed = True
        if holding.get("profile_source.parquet"):
            _drop_rows_parquet(con, version_dir / "profile_source.parquet", phone)
            changed = True
        marked, were_included = (_mark_decisions(con, version_dir / "decisions.parquet", phone, at)
                                 if holding.get("decisions.parquet") else (0, 0))
        changed = changed or bool(marked)
        for entry in (manifest.get("exports") or {}).values():
            for part in entry["parts"]:
                if (version_dir / part["name"]).is_file() and _drop_rows_csv(version_dir / part["name"], phone):
                    changed = True
        row_count = (con.execute(f"select count(*) from read_parquet({sql_string(str(contacts))})").fetchone()[0]
                     if contacts.is_file() else manifest.get("row_count"))
    finally:
        con.close()
    if not changed:
        return None
    _update_manifest(manifest, version_dir, row_count, marked, were_included, removed, at, rule)
    partial = _partial(manifest_path)
    partial.write_text(json.dumps(manifest, indent=2, sort_keys=False) + "\n")
    _replace(partial, manifest_path)
    return {"contact_rows": removed, "decision_rows": marked}


def _update_manifest(manifest: dict, version_dir: Path, row_count, marked: int, were_included: int,
                     removed: int, at: datetime, rule: dict) -> None:
    manifest["files"] = {name: file_entry(version_dir / name) if (version_dir / name).is_file() else entry
                         for name, entry in manifest.get("files", {}).items()}
    for entry in (manifest.get("exports") or {}).values():
        for part in entry["parts"]:
            path = version_dir / part["name"]
            if path.is_file():
                part.update(file_entry(path), rows=_csv_rows(path))
    manifest["row_count"] = row_count
    if marked:
        if isinstance(manifest.get("excluded"), int):
            manifest["excluded"] += were_included
        suppressed = manifest.setdefault("suppressed", {})
        suppressed[RULE_ID] = suppressed.get(RULE_ID, 0) + marked
        manifest["suppressed"] = dict(sorted(suppressed.items()))
        manifest.setdefault("rules", {})[RULE_ID] = rule
        manifest["rules"] = dict(sorted(manifest["rules"].items()))
        waterfall = manifest.get("waterfall")
        if isinstance(waterfall, dict):
            waterfall[RULE_ID] = waterfall.get(RULE_ID, 0) + were_included
    manifest.setdefault("erasures", []).append({
        "at": at.isoformat(), "rule": RULE_ID, "contact_rows_removed": removed, "decision_rows_marked": marked})


def _csv_rows(path: Path) -> int:
    return _read_export(path).num_rows


def remove_stale_temp_dirs(published: Path) -> int:
    """Delete `.tmp-*` version folders (only under the run lock: no publish is under way)."""
    stale = stale_temp_dirs(published)
    for path in stale:
        shutil.rmtree(path, ignore_errors=True)
    return len(stale)


def scrub_published(published: Path, phone: str, at: datetime, rule: dict) -> dict[str, int]:
    counts = {"versions": 0, "contact_rows": 0, "decision_rows": 0,
              "temp_folders": remove_stale_temp_dirs(published)}
    for version_dir in version_dirs(published):
        result = scrub_version(version_dir, phone, at, rule)
        if result is None:
            continue
        counts["versions"] += 1
        counts["contact_rows"] += result["contact_rows"]
        counts["decision_rows"] += result["decision_rows"]
    return counts
