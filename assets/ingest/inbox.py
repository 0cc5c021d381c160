"""Finding the files of one inbox folder."""

from __future__ import annotations

from pathlib import Path


def folder_files(inbox: Path, folder: str) -> list[tuple[Path, str]]:
    """Every regular file under `inbox/folder`, sorted, with its path relative to the inbox.

    A missing folder is an empty source. Hidden files (editor and OS droppings) are skipped.
    """
    root = inbox / folder
    if not root.is_dir():
        return []
    files = sorted(p for p in root.rglob("*") if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts))
    return [(path, path.relative_to(inbox).as_posix()) for path in files]
