"""API consumers (CONTRACT section 8): who may pull which lists, in which export profile.

A consumer is a dialer or texting tool. Its token is printed once, by `consumers add` or
`rotate`, and never stored: `HOME/api/consumers.json` (0600) keeps a random salt and the
scrypt hash of the token's secret. A token reads `otr_<id>_<secret>`: the id finds the
consumer without trying every hash, the secret is what the hash checks, compared in
constant time. scrypt is slow by design, so the server remembers, per process, the tokens it
has already verified (by their SHA-256) until the file changes (a revoke or rotate).

Edits are read-modify-write under an flock on `consumers.lock`, and the file is replaced
atomically (temp, fsync, rename, fsync of the folder), so a crash leaves the old or the new file.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import os
import re
import secrets
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from configuration.permissions import fsync_dir

API_DIR = "api"
CONSUMERS_FILE = "consumers.json"
# Consumer names appear in the audit and on the command line; keep them plain.
CONSUMER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
TOKEN = re.compile(r"otr_([0-9a-f]{16})_([A-Za-z0-9_-]{43})")
# scrypt cost: about 50 ms and 16 MiB per check on these machines; paid once per token per process.
SCRYPT = {"n": 2**14, "r": 8, "p": 1}


class ConsumerError(ValueError):
    """A consumer command that cannot be carried out; the message never holds a token."""


@dataclass(frozen=True)
class Consumer:
    name: str
    lists: tuple[str, ...]
    profile: str
    token_id: str
    created_at: str
    rotated_at: str | None = None
    revoked_at: str | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def may_read(self, list_name: str) -> bool:
        return list_name in self.lists


def api_dir(home: Path) -> Path:
    return Path(home) / API_DIR


def consumers_path(home: Path) -> Path:
    return api_dir(home) / CONSUMERS_FILE


def private_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)
    return path


def write_private(path: Path, data: bytes) -> None:
    """`path` := data, complete or not at all, mode 0600, durable when this returns."""
    temp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def _hash(secret: str, salt: bytes) -> bytes:
    return hashlib.scrypt(secret.encode(), salt=salt, dklen=32, maxmem=64 * 1024 * 1024, **SCRYPT)


def _new_token() -> tuple[str, str, str]:
    token_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    return f"otr_{token_id}_{secret}", token_id, secret


class ConsumerStore:
    def __init__(self, home: Path):
        self.home = Path(home)
        self.path = consumers_path(home)
        self._verified: dict[bytes, str] = {}
        self._verified_for: tuple[int, int, int] | None = None
        self._lock = threading.Lock()

    # --- reading ---------------------------------------------------------------------------

    def _read(self) -> dict:
        try:
            return json.loads(self.path.read_text())
        except FileNotFoundError:
            return {"consumers": {}}
        except (OSError, ValueError) as error:
            raise ConsumerError(f"{self.path} cannot be read ({type(error).__name__}); restore it or add consumers again") from None

    def all(self) -> list[Consumer]:
        return [self._consumer(name, entry) for name, entry in sorted(self._read()["consumers"].items())]

    def get(self, name: str) -> Consumer | None:
        entry = self._read()["consumers"].get(name)
        return None if entry is None else self._consumer(name, entry)

    @staticmethod
    def _consumer(name: str, entry: dict) -> Consumer:
        return Consumer(name=name, lists=tuple(entry["lists"]), profile=entry["profile"], token_id=entry["token_id"],
                        created_at=entry["created_at"], rotated_at=entry.get("rotated_at"),
                        revoked_at=entry.get("revoked_at"))

    # --- editing ---------------------------------------------------------------------------

    @contextmanager
    def _editing(self):
        private_dir(self.path.parent)
        fd = os.open(self.path.parent / "consumers.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            data = self._read()
            yield data
            write_private(self.path, (json.dumps(data, indent=2, sort_keys=True) + "\n").encode())
        finally:
            os.close(fd)

    def add(self, name: str, lists: list[str], profile: str) -> str:
        """Create a consumer; returns its token, which is not kept anywhere."""
        if not CONSUMER_NAME.fullmatch(name):
            raise ConsumerError(f"consumer name '{name}': use letters, digits, '_', '.' or '-' (at most 64)")
        if not lists:
            raise ConsumerError("--lists names no list")
        token, token_id, secret = _new_token()
        with self._editing() as data:
            if name in data["consumers"]:
                raise ConsumerError(f"consumer '{name}' exists already; use `rotate` for a new token")
            salt = secrets.token_bytes(16)
            data["consumers"][name] = {
                "lists": sorted(set(lists)), "profile": profile, "token_id": token_id,
                "salt": salt.hex(), "hash": _hash(secret, salt).hex(), "scrypt": SCRYPT, "created_at": _now(),
            }
        return token

    def rotate(self, name: str) -> str:
        """A new token for `name` (revoked consumers are active again); the old token stops at once."""
        token, token_id, secret = _new_token()
        with self._editing() as data:
            entry = data["consumers"].get(name)
            if entry is None:
                raise ConsumerError(f"no consumer '{name}'")
            salt = secrets.token_bytes(16)
            entry.update(token_id=token_id, salt=salt.hex(), hash=_hash(secret, salt).hex(), scrypt=SCRYPT,
                         rotated_at=_now())
            entry.pop("revoked_at", None)
        return token

    def revoke(self, name: str) -> None:
        with self._editing() as data:
            entry = data["consumers"].get(name)
            if entry is None:
                raise ConsumerError(f"no consumer '{name}'")
            entry["revoked_at"] = _now()

    # --- checking a token ------------------------------------------------------------------

    def _stamp(self) -> tuple[int, int, int]:
        # Every edit replaces the file, so its inode changes even within one mtime tick.
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return (0, 0, 0)
        return (stat.st_ino, stat.st_mtime_ns, stat.st_size)

    def authenticate(self, token: str | None) -> Consumer | None:
        """The active consumer `token` belongs to, else None."""
        if not token:
            return None
        match = TOKEN.fullmatch(token)
        if match is None:
            return None
        token_id, secret = match.groups()
        digest = hashlib.sha256(token.encode()).digest()
        stamp = self._stamp()
        with self._lock:
            if stamp != self._verified_for:
                self._verified, self._verified_for = {}, stamp
            name = self._verified.get(digest)
        data = self._read()
        if name is not None:
            entry = data["consumers"].get(name)
            if entry is not None and entry["token_id"] == token_id and "revoked_at" not in entry:
                return self._consumer(name, entry)
            return None
        for candidate, entry in data["consumers"].items():
            if entry["token_id"] != token_id or "revoked_at" in entry:
                continue
            params = entry.get("scrypt", SCRYPT)
            computed = hashlib.scrypt(secret.encode(), salt=bytes.fromhex(entry["salt"]), dklen=32,
                                      maxmem=64 * 1024 * 1024, **params)
            if hmac.compare_digest(computed, bytes.fromhex(entry["hash"])):
                with self._lock:
                    if self._stamp() == stamp:
                        self._verified[digest] = candidate
                return self._consumer(candidate, entry)
        return None
