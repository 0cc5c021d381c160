"""Who may read what a run writes (issue 11, least exposure; docs/security.md).

Everything in HOME holds personal data or leads to it (the warehouse, its WAL, the ledger, dbt's
run artifacts, published lists, caches), so the process runs with umask 077 and HOME is kept
0700 with files 0600 and folders 0700. `publish_mode: group` in lists.yaml opens only the
published lists to HOME's group (a dialer's service account): published files 0640 and folders
0750, and HOME itself 0750 so the group can reach `published/`; everything else stays private.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

PUBLISH_MODES = ("private", "group")
PRIVATE_UMASK = 0o077
PRIVATE_FILE, PRIVATE_DIR = 0o600, 0o700
# (file, folder) modes of published lists, by publish_mode.
PUBLISHED_MODES = {"private": (PRIVATE_FILE, PRIVATE_DIR), "group": (0o640, 0o750)}
PUBLISHED_DIR = "published"


def private_umask() -> None:
    """New files and folders of this process (DuckDB's, dbt's, ours) are its owner's only."""
    os.umask(PRIVATE_UMASK)


def published_modes(publish_mode: str) -> tuple[int, int]:
    return PUBLISHED_MODES[publish_mode]


def _chmod(path: Path, mode: int) -> None:
    try:
        if stat.S_IMODE(path.lstat().st_mode) != mode:
            os.chmod(path, mode)
    except OSError:
        pass  # gone meanwhile, or not ours: the walk reports nothing, the umask still holds


def secure_home(home: Path, publish_mode: str = "private") -> None:
    """Create HOME private and bring every file and folder in it to its mode.

    Files written by an older version (0644 in 0755 folders) are tightened on the next run;
    symlinks are left alone (chmod would follow them out of HOME).
    """
    file_mode, dir_mode = published_modes(publish_mode)
    home = Path(home)
    home.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    _chmod(home, PRIVATE_DIR if publish_mode == "private" else dir_mode)
    for root, dirs, files in os.walk(home):
        here = Path(root)
        published = PUBLISHED_DIR in here.relative_to(home).parts[:1] or here == home / PUBLISHED_DIR
        for name in dirs:
            path = here / name
            if not path.is_symlink():
                in_published = published or (here == home and name == PUBLISHED_DIR)
                _chmod(path, dir_mode if in_published else PRIVATE_DIR)
        for name in files:
            path = here / name
            if not path.is_symlink():
                _chmod(path, file_mode if published else PRIVATE_FILE)


def _tree_modes(path: Path, file_mode: int, dir_mode: int) -> None:
    _chmod(path, dir_mode)
    for root, dirs, files in os.walk(path):
        for name in dirs:
            _chmod(Path(root) / name, dir_mode)
        for name in files:
            _chmod(Path(root) / name, file_mode)


def private_tree(path: Path) -> None:
    """A folder and everything in it to 0700/0600 (files copied in with their source's mode)."""
    _tree_modes(path, PRIVATE_FILE, PRIVATE_DIR)


def set_published_modes(path: Path, publish_mode: str) -> None:
    """A published folder and everything in it (a version before its rename, a list folder)."""
    file_mode, dir_mode = published_modes(publish_mode)
    _tree_modes(path, file_mode, dir_mode)


def fsync_dir(path: Path) -> None:
    """Make a rename or replace inside `path` durable: the directory entry itself is flushed."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
