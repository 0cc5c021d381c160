"""One run at a time per home: an OS file lock on `HOME/.outreach.lock`.

Design (docs/compliance_defaults.md, "Lists and versions"):

- The lock is `fcntl.flock(LOCK_EX | LOCK_NB)` on `HOME/.outreach.lock`. The kernel holds it
  for the open file description, so it goes away with the process on any exit, `kill -9`
  included; nothing stale is ever left to clean up. The file is never deleted (deleting a
  lock file lets two processes lock two different inodes). While held it carries the
  holder's pid, which is all a second run is told: no personal data.
- A second run does not wait: `hold_home` raises `HomeBusyError` at once, naming the home
  and the pid. `outreach run` turns that into exit 2.
- Who takes it: `outreach run` (orchestration/cli.py) before anything else, then
  `run_pipeline` (orchestration/runner.py), then every Dagster run through the `settings`
  resource (orchestration/location.py), which every asset and check requires. A run that
  the schedule, the sensor or the UI launches therefore holds the lock from its first step
  to its last, in the run worker process.
- flock conflicts between two open file descriptions even inside one process, and the CLI
  already holds the lock when its in-process Dagster run initializes the resource. So this
  module keeps a registry of the homes this process holds, with a count: a nested
  `hold_home` on a home the process already holds reuses it, and the file is unlocked when
  the outermost holder leaves. The registry is per process (a forked child does not inherit
  a claim it would have to re-take).
- Lock files are opened close-on-exec, so dbt and other subprocesses never inherit the lock
  and cannot outlive the run while holding it.
"""

from __future__ import annotations

import fcntl
import os
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

LOCK_NAME = ".outreach.lock"


class HomeBusyError(RuntimeError):
    """Another process holds the run lock of this home."""

    def __init__(self, home: Path, pid: str | None):
        self.home = home
        self.pid = pid
        holder = f"pid {pid}" if pid else "pid unknown"
        super().__init__(
            f"another run holds HOME {home} ({holder}); one run at a time per home: "
            f"wait for it to finish, or stop it, then run again (lock file {home / LOCK_NAME})"
        )


@dataclass
class _Hold:
    fd: int
    pid: int
    count: int


_held: dict[Path, _Hold] = {}
_registry = threading.Lock()


def lock_path(home: Path) -> Path:
    return Path(home).resolve() / LOCK_NAME


def _read_pid(fd: int) -> str | None:
    try:
        text = os.pread(fd, 64, 0).decode("ascii", "replace").strip()
    except OSError:
        return None
    return text if text.isdigit() else None


def _acquire(home: Path) -> int:
    home.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(home / LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        pid = _read_pid(fd)
        os.close(fd)
        raise HomeBusyError(home, pid) from None
    except BaseException:
        os.close(fd)
        raise
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
    return fd


def _release(fd: int) -> None:
    try:
        os.ftruncate(fd, 0)
    except OSError:
        pass
    os.close(fd)  # closing the only descriptor unlocks


@contextmanager
def hold_home(home: Path) -> Iterator[Path]:
    """Hold HOME's run lock for the block; raises HomeBusyError at once if another process holds it."""
    key = Path(home).resolve()
    with _registry:
        hold = _held.get(key)
        if hold is not None and hold.pid == os.getpid():
            hold.count += 1
        else:
            hold = _Hold(_acquire(key), os.getpid(), 1)
            _held[key] = hold
    try:
        yield key
    finally:
        with _registry:
            hold.count -= 1
            if hold.count == 0 and _held.get(key) is hold:
                del _held[key]
                _release(hold.fd)


def holds_home(home: Path) -> bool:
    """Whether this process holds HOME's lock (no probing of other processes)."""
    hold = _held.get(Path(home).resolve())
    return hold is not None and hold.pid == os.getpid()
