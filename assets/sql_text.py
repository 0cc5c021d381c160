"""How outside text reaches DuckDB: the one quoting helper, identifiers, and exact file paths.

Paths, file names and values from outside (the command line, the inbox, the environment) go
into SQL as `?`/`$name` parameters wherever DuckDB takes one. Where it does not (`copy ... to`,
`attach`, `set`), they go through `sql_string`, the only quoting helper; tests/test_sql_safety.py
fails on any other interpolation into SQL.

DuckDB's file readers (read_csv, read_parquet, read_json) expand `*`, `?`, `[...]` and `{...}`
in a path even when it is a parameter, so `HOME = "campaign[1]"` would read `campaign1`'s file
and an inbox file `opt*.csv` its neighbours. `exact_path`/`exact_paths` hand those readers a
path that names one file only.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

# Characters DuckDB's file globbing gives a meaning to.
GLOB_CHARACTERS = frozenset("*?[]{}")


def sql_string(text: str) -> str:
    """The one way outside text (a file path, a setting) enters SQL as text: a single-quoted literal."""
    if "\x00" in text:
        raise ValueError("a path with a NUL character")
    return "'" + text.replace("'", "''") + "'"


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def has_glob_character(path: str | Path) -> bool:
    return bool(GLOB_CHARACTERS & set(str(path)))


@contextmanager
def exact_paths(paths: Sequence[Path]) -> Iterator[list[str]]:
    """Path strings DuckDB's readers open as exactly these files, in order.

    A path holding a glob character is read through a symlink with a plain name in a fresh
    private temporary folder (a copy where links cannot be made); the folder goes on exit.
    """
    absolute = [Path(path).absolute() for path in paths]
    if not any(has_glob_character(path) for path in absolute):
        yield [str(path) for path in absolute]
        return
    folder = Path(tempfile.mkdtemp(prefix="outreach-read-"))  # mkdtemp makes it 0700
    try:
        if has_glob_character(folder):
            raise RuntimeError(f"the temporary folder {folder} holds a glob character; set TMPDIR to a plain path")
        readable = []
        for number, path in enumerate(absolute):
            if not has_glob_character(path):
                readable.append(str(path))
                continue
            # The suffix stays: readers such as read_json_auto look at it.
            link = folder / f"file{number}{''.join(c for c in path.suffix if c not in GLOB_CHARACTERS)}"
            try:
                link.symlink_to(path)
            except OSError:
                shutil.copyfile(path, link)
            readable.append(str(link))
        yield readable
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def exact_path(path: Path) -> Iterator[str]:
    """A path string DuckDB's readers open as exactly this one file (see `exact_paths`)."""
    with exact_paths([path]) as (readable,):
        yield readable
