"""`outreach prune`: published versions older than the policy's `retention.published_versions_days`.

A version goes when all of these hold: its `published_at` (else its folder's modification
time) is more than N days before now; LATEST does not point at it; it has expired
(`expires_at` before now: an unexpired prerecorded version still counts toward R13's cap
for lists no longer configured, expectations/facts.py). Nothing outside HOME/published is
touched, so the ledger (every opt-out, R19) is never pruned. A version is first renamed to
a `.tmp-` name (a reader never sees half a version; an interrupted prune leaves only a
temporary folder that the next publish or prune removes), then deleted."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from ..publishing import latest_version
from .published_scrub import fsync_dir


@dataclass(frozen=True)
class PruneCandidate:
    list_name: str
    version: str
    published_at: datetime
    bytes: int


@dataclass(frozen=True)
class PruneResult:
    deleted: tuple[PruneCandidate, ...]
    kept_latest: int
    kept_unexpired: int
    kept_recent: int
    unreadable: int


def _when(text) -> datetime | None:
    try:
        value = datetime.fromisoformat(str(text))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def plan_prune(published: Path, days: int, now: datetime) -> PruneResult:
    cutoff = now - timedelta(days=days)
    deleted, kept_latest, kept_unexpired, kept_recent, unreadable = [], 0, 0, 0, 0
    list_dirs = sorted(p for p in published.iterdir() if p.is_dir() and not p.name.startswith(".")) \
        if published.is_dir() else []
    for list_dir in list_dirs:
        latest = latest_version(list_dir)
        for version_dir in sorted(p for p in list_dir.iterdir() if p.is_dir() and not p.name.startswith(".")):
            if version_dir.name == latest:
                kept_latest += 1
                continue
            try:
                manifest = json.loads((version_dir / "manifest.json").read_text())
            except (OSError, ValueError):
                # Not a version this code wrote, or a damaged one: left for a person to look at.
                unreadable += 1
                continue
            published_at = _when(manifest.get("published_at")) or datetime.fromtimestamp(
                version_dir.stat().st_mtime, timezone.utc)
            expires_at = _when(manifest.get("expires_at"))
            if published_at > cutoff:
                kept_recent += 1
            elif expires_at is None or expires_at > now:
                kept_unexpired += 1
            else:
                deleted.append(PruneCandidate(list_dir.name, version_dir.name, published_at, _size(version_dir)))
    return PruneResult(tuple(deleted), kept_latest, kept_unexpired, kept_recent, unreadable)


def prune_published(published: Path, days: int, now: datetime | None = None, dry_run: bool = False) -> PruneResult:
    """Delete (unless `dry_run`) what `plan_prune` selects; the caller holds HOME's run lock."""
    result = plan_prune(published, days, now or datetime.now(timezone.utc))
    if dry_run:
        return result
    for candidate in result.deleted:
        list_dir = published / candidate.list_name
        doomed = list_dir / f".tmp-pruned-{candidate.version}-{os.getpid()}"
        os.rename(list_dir / candidate.version, doomed)
        fsync_dir(list_dir)
        shutil.rmtree(doomed)
    return result
