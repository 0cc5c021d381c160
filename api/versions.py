"""Reading published versions for the API: one version per request, never a mix.

A pull resolves `LATEST` once and then reads only that version's folder, which is immutable
once renamed into place (assets/publishing.py); a publish during the pull moves `LATEST` but
changes nothing the pull reads. A paged pull carries its version in the cursor, so every
page of it comes from the same version too.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

# Version folder names are written by assets/publishing.py: 20261128T170000Z-001.
VERSION = re.compile(r"[0-9]{8}T[0-9]{6}Z-[0-9]{3}")
LIST_NAME = re.compile(r"[A-Za-z0-9_]+")


class NotPublished(LookupError):
    pass


class BadCursor(ValueError):
    pass


@dataclass(frozen=True)
class Version:
    list_name: str
    version: str
    folder: Path
    manifest: dict

    @property
    def expires_at(self) -> datetime:
        return datetime.fromisoformat(self.manifest["expires_at"])

    @property
    def as_of(self) -> datetime:
        return datetime.fromisoformat(self.manifest["as_of"])

    def expired(self, now: datetime | None = None) -> bool:
        return (now or datetime.now(timezone.utc)) >= self.expires_at


def published_root(home: Path) -> Path:
    return Path(home) / "published"


def latest_version_name(home: Path, list_name: str) -> str | None:
    if not LIST_NAME.fullmatch(list_name):
        return None
    try:
        name = (published_root(home) / list_name / "LATEST").read_text().strip()
    except OSError:
        return None
    return name if VERSION.fullmatch(name) else None


def load_version(home: Path, list_name: str, version: str | None = None) -> Version:
    """The named version of a list, else the one LATEST points at."""
    if not LIST_NAME.fullmatch(list_name):
        raise NotPublished(list_name)
    version = version or latest_version_name(home, list_name)
    if version is None or not VERSION.fullmatch(version):
        raise NotPublished(list_name)
    folder = published_root(home) / list_name / version
    try:
        manifest = json.loads((folder / "manifest.json").read_text())
    except (OSError, ValueError):
        raise NotPublished(list_name) from None
    return Version(list_name, version, folder, manifest)


def published_lists(home: Path) -> list[str]:
    root = published_root(home)
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if p.is_dir() and LIST_NAME.fullmatch(p.name))


# --- cursors -----------------------------------------------------------------------------


def encode_cursor(version: str, offset: int) -> str:
    return base64.urlsafe_b64encode(f"{version}:{offset}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, int]:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        version, offset = text.split(":")
        if not VERSION.fullmatch(version) or not offset.isdigit():
            raise ValueError
        return version, int(offset)
    except (ValueError, UnicodeDecodeError):
        raise BadCursor("cursor is not one this server gave out") from None


# --- the rows of a version ---------------------------------------------------------------


class TableCache:
    """Parquet files of versions, read once: a version's files never change after publishing."""

    def __init__(self, size: int = 8):
        self._tables: OrderedDict[Path, pa.Table] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def read(self, path: Path) -> pa.Table:
        with self._lock:
            table = self._tables.get(path)
            if table is not None:
                self._tables.move_to_end(path)
                return table
        table = pq.read_table(path)
        with self._lock:
            self._tables[path] = table
            while len(self._tables) > self._size:
                self._tables.popitem(last=False)
        return table
