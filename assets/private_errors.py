"""Error messages without personal data (issue 11, least exposure).

DuckDB quotes the offending input in its errors: a CSV error carries the whole line ("Original
Line: JANE DOE<TAB>919...") and a conversion error the value ("Could not convert string 'JANE'").
Whatever an exception says ends up in Dagster's run storage, the terminal and dbt's artifacts,
so errors that may quote input are rebuilt here from what is safe to repeat: the file, the
line and column, and the kind of problem.
"""

from __future__ import annotations

import re
from pathlib import Path

# Reasons DuckDB gives that hold numbers only, rewritten in the project's words.
_SAFE_REASONS = (
    (re.compile(r"Maximum line size of (\d+) bytes exceeded"), "a line longer than {0} bytes"),
    (re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)"), "expected {0} columns, found {1}"),
    (re.compile(r"[Ii]nvalid unicode|not utf-8|Invalid UTF-8", re.IGNORECASE), "bytes that are not valid text in the encoding read"),
    (re.compile(r"Value with unterminated quote", re.IGNORECASE), "an unterminated quote"),
)
_LINE = re.compile(r"(?:on Line|line)[: ]\s*(\d+)", re.IGNORECASE)
_COLUMN = re.compile(r"\bcolumn(?: number)?[: ]\s*(\d+)", re.IGNORECASE)
_FILE = re.compile(r"^\s*file = (.+?)\s*$", re.MULTILINE)
# The first words of a DuckDB message: "Invalid Input Error", "Conversion Error", ...
_KIND = re.compile(r"^([A-Z][A-Za-z ]{0,40}Error)\b")


class InputReadError(RuntimeError):
    """An inbox file DuckDB could not read; the message names file, line and column, never content."""


def _where(path_text: str | None, inbox: Path | None, fallback: str) -> str:
    if not path_text:
        return fallback
    path = Path(path_text)
    if inbox is not None:
        try:
            return path.resolve().relative_to(Path(inbox).resolve()).as_posix()
        except (ValueError, OSError):
            pass
    # A temporary link made for a file name with glob characters, or a path outside the inbox.
    return fallback


def duckdb_error_summary(error: BaseException, inbox: Path | None = None, fallback: str = "an inbox file") -> str:
    """`FILE: line N, column C: KIND (REASON)`, with only what cannot be personal data."""
    text = str(error)
    first = text.splitlines()[0] if text else ""
    kind = _KIND.match(first)
    line = _LINE.search(first)
    column = _COLUMN.search(first)
    file = _FILE.search(text)
    parts = [_where(file.group(1) if file else None, inbox, fallback)]
    if line:
        parts.append(f"line {line.group(1)}")
    if column:
        parts.append(f"column {column.group(1)}")
    reason = next((template.format(*match.groups()) for pattern, template in _SAFE_REASONS
                   if (match := pattern.search(text))), None)
    what = (kind.group(1) if kind else type(error).__name__)
    return ", ".join(parts) + f": DuckDB could not read it ({what}{'; ' + reason if reason else ''})"


_QUOTED = re.compile(r"'(?:[^'\n]|'')*'")


def redact_quoted(text: str) -> str:
    """A message line with every single-quoted literal (DuckDB's way of quoting a value) blanked,
    and nothing after an "Original Line" marker."""
    cut = text.find("Original Line")
    if cut >= 0:
        text = text[:cut] + "Original Line: (withheld)"
    return _QUOTED.sub("'…'", text)
