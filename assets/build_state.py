"""Fingerprints of everything a dbt build reads, kept after a successful `outreach run`, so
the next run rebuilds only the models downstream of what changed (docs/performance.md).

A fingerprint per dbt source (`raw.opt_outs`, `ledger.opt_outs`, `config.run`, ...):

- raw tables: the sha256 of every inbox file of the table's family (a file's sha256 is reused
  while its size, mtime, ctime and inode are unchanged: the same file, not written since;
  ingest takes the same digests, assets/ingest/file_digests.py);
- ledger tables: their content (row count and a sum of row hashes) and the API journal's files;
- config tables: their content, built from the settings exactly as the run will build them
  (as-of, lists, policy, published versions counted by R13).

Anything else that shapes the models (the dbt project, the pipeline's code, the phone and
ZIP reference packages, the segments the lists use, test knobs) goes into `code`: any change
there, no previous state, or HTTP sources configured (they write into the inbox during the
run) means a full build. The state file holds file names and digests, never a row.
"""

from __future__ import annotations

import hashlib
import json
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from importlib import metadata
from pathlib import Path

import duckdb

from configuration.settings import RunSettings

from . import encryption
from .ingest.file_digests import file_identity, remember, sha256_of
from .ingest.sources import SOURCE_FAMILIES, UNCLAIMED
from .sql_text import ident

STATE_FILE = "dbt_build_state.json"
LAYOUT = 1
ROOT = Path(__file__).resolve().parent.parent
# The code and packages the warehouse's inputs and models are made by.
CODE_FOLDERS = ("assets", "configuration", "dbt_project/models", "dbt_project/macros", "dbt_project/tests")
CODE_FILES = ("dbt_project/dbt_project.yml", "dbt_project/profiles.yml")
PACKAGES = ("phonenumbers", "zipcodes", "duckdb", "dbt-core", "dbt-duckdb")
# raw tables every family writes to.
SHARED_RAW = ("quarantine", "ingest_files")


@dataclass(frozen=True)
class BuildState:
    code: str
    sources: dict[str, str]
    # inbox file (relative path) -> [size, mtime_ns, sha256]: the digest cache of the next run.
    files: dict[str, list] = field(default_factory=dict)


@dataclass(frozen=True)
class BuildPlan:
    """What a run's dbt step builds, decided under HOME's run lock before the run reads its inputs.

    `before`: the inputs' fingerprints, recorded once the run's steps up to dbt succeeded (None:
    record nothing). `models`: the dbt models to build (None: every model the run selected);
    the dbt step reuses the other selected models as they are. `decisions_delta`: list_decisions
    may decide again only the numbers whose inputs changed."""

    before: BuildState | None = None
    models: frozenset[str] | None = None
    decisions_delta: bool = False


def state_path(home: Path) -> Path:
    return Path(home) / STATE_FILE


def forget_build_state(home: Path) -> None:
    """Called before any dbt build: until a run records the new state, the next one is full."""
    state_path(home).unlink(missing_ok=True)


def load_build_state(home: Path) -> BuildState | None:
    try:
        data = json.loads(state_path(home).read_text())
        if data.get("layout") != LAYOUT:
            return None
        return BuildState(data["code"], data["sources"], data.get("files", {}))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def save_build_state(home: Path, state: BuildState) -> None:
    path = state_path(home)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps({"layout": LAYOUT, "code": state.code, "sources": state.sources,
                                     "files": state.files}, sort_keys=True))
    os.replace(temporary, path)


def changed_sources(previous: BuildState | None, current: BuildState | None) -> set[str] | None:
    """The dbt sources (`schema.table`) whose fingerprint differs; None: build everything."""
    if previous is None or current is None or previous.code != current.code:
        return None
    names = previous.sources.keys() | current.sources.keys()
    return {name for name in names if previous.sources.get(name) != current.sources.get(name)}


# --- fingerprints ---------------------------------------------------------------------------


def _digest(parts) -> str:
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(str(part).encode())
        hasher.update(b"\0")
    return hasher.hexdigest()


def code_fingerprint(segments: list[str] | None) -> str:
    files = [ROOT / name for name in CODE_FILES]
    for folder in CODE_FOLDERS:
        files += sorted(path for path in (ROOT / folder).rglob("*")
                        if path.is_file() and "__pycache__" not in path.parts and path.suffix in (".py", ".sql", ".yml"))
    parts = [LAYOUT, json.dumps(segments)]
    parts += [f"{path.relative_to(ROOT)}:{hashlib.sha256(path.read_bytes()).hexdigest()}" for path in files]
    parts += [f"{name}=={_version(name)}" for name in PACKAGES]
    # Mutation-test knobs change what the models say (assets/dbt.py).
    parts += [os.environ.get("OUTREACH_TEST_DISABLE_RULE", "")]
    return _digest(parts)


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "absent"


def _file_digests(inbox: Path, cache: dict[str, list]) -> dict[str, list]:
    files, to_hash = {}, []
    if not inbox.is_dir():
        return files
    for path in sorted(inbox.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(inbox).as_posix()
        identity = file_identity(path.stat())
        known = cache.get(rel)
        # [size, mtime_ns, sha256, ctime_ns, inode, device]: the digest is reused only for the
        # same file unwritten since (assets/ingest/file_digests.py), and then shared with ingest.
        if known and len(known) == 6 and (known[0], known[1], *known[3:]) == identity:
            remember(path, identity, known[2])
            files[rel] = known
        else:
            to_hash.append((rel, path, identity))
    # hashlib lets go of the GIL while it hashes: one thread per core reads the inbox.
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        for (rel, _, identity), digest in zip(to_hash, pool.map(lambda item: sha256_of(item[1]), to_hash)):
            files[rel] = [identity[0], identity[1], digest, *identity[2:]]
    return files


def raw_fingerprints(files: dict[str, list]) -> dict[str, str]:
    """raw.<table> -> digest of its family folder's files; the shared tables take every file."""
    found = {}
    for family in SOURCE_FAMILIES:
        if family.name == UNCLAIMED:
            continue
        prefix = family.name + "/"
        digest = _digest(f"{rel}:{entry[2]}" for rel, entry in sorted(files.items()) if rel.startswith(prefix))
        for table in family.tables:
            found[f"raw.{table}"] = digest
    everything = _digest(f"{rel}:{entry[2]}" for rel, entry in sorted(files.items()))
    for table in SHARED_RAW:
        found[f"raw.{table}"] = everything
    return found


def table_fingerprints(con: duckdb.DuckDBPyConnection, catalog: str, schema: str, label: str) -> dict[str, str]:
    """`label.<table>` -> row count and the sum of its rows' hashes (order-free, duplicates count)."""
    tables = [row[0] for row in con.execute(
        "select table_name from information_schema.tables where table_catalog = ? and table_schema = ? order by 1",
        [catalog, schema]).fetchall()]
    found = {}
    for table in tables:
        relation = f"{ident(catalog)}.{ident(schema)}.{ident(table)}"
        count, total = con.execute(f"select count(*), sum(hash(t)::hugeint) from {relation} as t").fetchone()
        found[f"{label}.{table}"] = f"{count}:{total}"
    return found


def ledger_content(home: Path) -> dict[str, str]:
    """`ledger.<table>` -> its content fingerprint, as the ledger file holds it now."""
    from .ledger.store import ALIAS, ledger_path

    path = ledger_path(home)
    if not path.exists():
        return {}
    con = encryption.new_connection(path.parent / (path.name + ".fingerprint.tmp"))
    try:
        encryption.attach(con, path, ALIAS, encryption.read_key(home), read_only=True)
        return table_fingerprints(con, ALIAS, "main", "ledger")
    finally:
        con.close()


def ledger_fingerprints(home: Path, raw: dict[str, str], content: dict[str, str]) -> dict[str, str]:
    """`ledger.<table>` -> its content, and what the run will add to it: the inbox files of the
    families it copies (ingest appends their new rows) and the API journal's files."""
    from .journal.records import FAMILIES
    from .journal.store import list_journal
    from .ledger.tables import LEDGER_TABLES

    journal = _digest(f"{family}/{name}" for family in FAMILIES for name in list_journal(home, family))
    family_digest = {family.name: raw[f"raw.{family.tables[0]}"] for family in SOURCE_FAMILIES if family.name != UNCLAIMED}
    found = {}
    for table in LEDGER_TABLES:
        feeds = _digest([journal, *(family_digest.get(family, "") for family in table.families)])
        found[f"ledger.{table.name}"] = f"{content.get(f'ledger.{table.name}', 'absent')}|{feeds}"
    return found


def config_fingerprints(settings: RunSettings) -> dict[str, str]:
    from .run_config import write_run_config

    con = duckdb.connect()
    try:
        write_run_config(con, settings)
        return table_fingerprints(con, "memory", "config", "config")
    finally:
        con.close()


def current_state(settings: RunSettings, segments: list[str] | None, previous: BuildState | None) -> BuildState | None:
    """The fingerprints of this run's inputs, taken before it reads them; None when they cannot
    be known in advance (HTTP sources pull into the inbox during the run) or read."""
    if (settings.home / "sources.yaml").exists():
        return None
    try:
        files = _file_digests(settings.inbox, previous.files if previous else {})
        raw = raw_fingerprints(files)
        sources = {**raw, **ledger_fingerprints(settings.home, raw, ledger_content(settings.home)),
                   **config_fingerprints(settings)}
    except Exception:  # anything unreadable here is the run's to report; this run is simply full
        return None
    return BuildState(code_fingerprint(segments), sources, files)


def state_after_run(settings: RunSettings, before: BuildState) -> BuildState:
    """What the models now reflect: the inputs as fingerprinted before the run, the ledger's
    content as the run left it (its ingest and journal rows absorbed). What fed the ledger stays
    as seen before the run: a file or journal entry that arrived later is new next time."""
    content = ledger_content(settings.home)
    sources = dict(before.sources)
    for name, value in before.sources.items():
        if name.startswith("ledger."):
            sources[name] = f"{content.get(name, 'absent')}|{value.rsplit('|', 1)[-1]}"
    return replace(before, sources=sources)
