"""One sha256 per inbox file per run: the build plan, the ledger's snapshot and the ingest
fingerprint each need it, and at ten million voters each pass over the 14 GB inbox took
about 30 s.

A digest is reused only while the file's identity is unchanged: size, mtime, ctime, inode
and device. Writing a file's bytes always moves its ctime, which no tool can set back (touch
and rsync set the mtime only), so a file rewritten in place with the same size and mtime is
still read again. The memo lives in this process: `outreach run` hashes (or takes from its
last build state, under the same identity) before the assets run in the same process; a run
started from the UI starts with an empty memo and hashes what it reads.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

# (absolute path) -> (identity, sha256)
_MEMO: dict[str, tuple[tuple[int, ...], str]] = {}


def file_identity(stat: os.stat_result) -> tuple[int, ...]:
    return (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, stat.st_dev)


def remember(path: Path, identity: tuple[int, ...], sha256: str) -> None:
    """A digest taken elsewhere (a previous run's, checked against the same identity)."""
    _MEMO[str(Path(path).absolute())] = (tuple(identity), sha256)


def sha256_of(path: Path) -> str:
    """The file's sha256, read again unless this process hashed it under the same identity."""
    key = str(Path(path).absolute())
    identity = file_identity(os.stat(path))
    known = _MEMO.get(key)
    if known and known[0] == identity:
        return known[1]
    with open(path, "rb") as handle:
        digest = hashlib.file_digest(handle, "sha256").hexdigest()
    # The identity from before the read: a file written while it was read gets a new ctime,
    # so the next caller reads it again.
    _MEMO[key] = (identity, digest)
    return digest
