"""Finding the files of the inbox: those each source folder reads, and those nobody reads.

Nothing in the inbox is ignored silently. A source reads every regular file under its folder,
subfolders included (`opt_outs/2026-10/a.csv`); what it skips (hidden files, anything that is
not a regular file) and what no source claims (files at the inbox root, unknown folders such
as `optouts/`) are listed in `raw.ingest_files` with a `skipped_reason`.

Of those, every one that is not hidden stops every list (`blocking_entries`): a file no
source reads may be an opt-out file put in a misspelt folder (`Opt-Outs/`, `optouts/`), and a
link that leads nowhere or a pipe in a source's folder may be one we cannot open. Hidden
files (`.DS_Store`, a pull's `.name.part`) are only listed.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

# Every top-level inbox folder a source family reads (CONTRACT section 2). The HTTP pull
# (assets/http_sources) writes only into donations/, volunteers/ and dnc/federal/ (its
# temporary `.name.pid.part` files are hidden files there); its cursors live in HOME/state.
KNOWN_FOLDERS = (
    "voters", "vote_history", "donations", "volunteers", "dnc", "opt_outs", "inbound_sms", "consents",
    "line_types", "rnd", "contact_history", "surveys",
)

# Files at the inbox root that describe the inbox and hold no records: `outreach generate`
# writes `.synthetic-inbox`, the list of the files it generated.
KNOWN_ROOT_FILES = frozenset({".synthetic-inbox"})

HIDDEN_FILE = "hidden file"
NOT_A_REGULAR_FILE = "not a regular file"
UNCLAIMED = "not in a known inbox folder"


def _is_hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)


def _entries(root: Path) -> list[Path]:
    """Everything under `root` except real folders (which are descended into), sorted."""
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_symlink() or not p.is_dir())


def folder_files(inbox: Path, folder: str) -> list[tuple[Path, str]]:
    """Every regular file under `inbox/folder` (subfolders included), sorted, with its path
    relative to the inbox.

    A missing folder is an empty source. Hidden files (name or a folder below `folder`
    starting with '.') and entries that are not regular files are not read; `skipped_files`
    names them so the loader can list them.
    """
    root = inbox / folder
    return [
        (path, path.relative_to(inbox).as_posix())
        for path in _entries(root)
        if path.is_file() and not _is_hidden(path.relative_to(root))
    ]


def skipped_files(inbox: Path, folder: str) -> list[tuple[str, str]]:
    """(path relative to the inbox, reason) of what `folder_files` leaves out under `inbox/folder`."""
    root = inbox / folder
    skipped = []
    for path in _entries(root):
        relative = path.relative_to(root)
        if _is_hidden(relative):
            skipped.append((path.relative_to(inbox).as_posix(), HIDDEN_FILE))
        elif not path.is_file():
            skipped.append((path.relative_to(inbox).as_posix(), NOT_A_REGULAR_FILE))
    return skipped


def unclaimed_files(inbox: Path, known_folders: tuple[str, ...] = KNOWN_FOLDERS) -> list[tuple[str, str]]:
    """(path relative to the inbox, reason) of every entry under the inbox that no source reads:
    files at the inbox root and everything under a folder that is not a known one.

    Hidden ones say so ('hidden file'); the rest are 'not in a known inbox folder'.
    """
    known = set(known_folders)
    found = []
    for path in _entries(inbox):
        relative = path.relative_to(inbox)
        if relative.parts[0] in known and (len(relative.parts) > 1 or path.is_dir()):
            continue
        if len(relative.parts) == 1 and relative.name in KNOWN_ROOT_FILES and path.is_file():
            continue
        found.append((relative.as_posix(), HIDDEN_FILE if _is_hidden(relative) else UNCLAIMED))
    return found


def blocking_entries(inbox: Path, known_folders: tuple[str, ...] = KNOWN_FOLDERS,
                     unclaimed: list[tuple[str, str]] | None = None) -> list[tuple[str, str]]:
    """(path relative to the inbox, reason) of every entry that stops every list: files no
    source reads that are not hidden, and entries in a source's folder that are not regular
    files and not hidden (a link that leads nowhere, a pipe). Sorted by path. `unclaimed`:
    `unclaimed_files` when the caller has it already."""
    if unclaimed is None:
        unclaimed = unclaimed_files(inbox, known_folders)
    found = [(rel, reason) for rel, reason in unclaimed if reason != HIDDEN_FILE]
    for folder in known_folders:
        found += [(rel, reason) for rel, reason in skipped_files(inbox, folder) if reason != HIDDEN_FILE]
    return sorted(found)


def _folder_key(name: str) -> str:
    # Opt-Outs, OPT_OUTS, optouts and opt_out are all "optout".
    key = re.sub(r"[^a-z0-9]", "", name.lower())
    return key[:-1] if key.endswith("s") else key


def likely_folder(relative: str, known_folders: tuple[str, ...] = KNOWN_FOLDERS) -> str | None:
    """The known folder an unclaimed file's first folder is most likely a misspelling of
    (`Opt-Outs/a.csv`, `optouts/a.csv`: `opt_outs`), or None (a file at the inbox root, or a
    folder name like none of them)."""
    parts = Path(relative).parts
    if len(parts) < 2:
        return None
    keys = {_folder_key(folder): folder for folder in known_folders}
    key = _folder_key(parts[0])
    if key in keys:
        return keys[key]
    close = difflib.get_close_matches(key, list(keys), n=1, cutoff=0.75)
    return keys[close[0]] if close else None
