"""Reading inbox files into DuckDB: every value as text, with the file and line it came from.

Two readers cover every source. `load_tab_file` splits physical lines on tabs (state voter
and history files, which have no quoting convention); DuckDB reads the lines. `load_csv_lines`
reads comma CSV files (the suppression and consent sources, ActBlue exports) line by line in
Python: a record never spans lines (ActBlue exports excepted, whose quoted comments may hold
a line break), so an unterminated quote or a wrong field count costs exactly that one physical
line, and the lines after it load with their own line numbers.

Both record what they read in `raw.ingest_files` and send every line they cannot use to
`raw.quarantine` with the reason, so counts reconcile per file (rows_read = rows_loaded +
rows_quarantined). In every file a UTF-8 byte-order mark opening it is dropped, CRLF line
ends are accepted, and a line holding a NUL byte is quarantined ('NUL byte'). Fully empty
lines are skipped and not counted as read. Files a source does not read (hidden files, the
inbox's unclaimed files) are listed in `raw.ingest_files` with a `skipped_reason`.

File paths reach DuckDB only as parameters, and never as a glob: DuckDB expands `*`, `?` and
`[` in a read_csv path even when it is a parameter, so such paths go through a plain-named
link (`duckdb_file_path`). Messages name the file and line, never a value read.
"""

from __future__ import annotations

import codecs
import csv
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from ..sql_text import exact_path
from .inbox import folder_files, skipped_files

# Four control characters that never occur in these sources: DuckDB then hands us each
# physical line whole, and we split it ourselves.
_WHOLE_LINE_DELIMITER = "\x1c\x1d\x1e\x1f"
_BOM = b"\xef\xbb\xbf"
_BATCH_ROWS = 50_000
# The most physical lines one record may span where quoted line breaks are allowed.
_MAX_RECORD_LINES = 50
NUL_BYTE = "NUL byte"


class LayoutError(ValueError):
    """A file whose layout is not the one expected; the message names the file and what was expected."""


@dataclass(frozen=True)
class FileLoad:
    source: str
    file: str
    encoding: str | None
    layout: str | None
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    skipped_reason: str | None = None


def ensure_bookkeeping_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists raw")
    con.execute(
        """create table if not exists raw.quarantine (
            source varchar, _file varchar, _line bigint, reason varchar, raw_line varchar)"""
    )
    con.execute(
        """create table if not exists raw.ingest_files (
            source varchar, _file varchar, encoding varchar, layout varchar,
            rows_read bigint, rows_loaded bigint, rows_quarantined bigint, skipped_reason varchar)"""
    )
    # A warehouse written before files could be skipped lacks the column.
    con.execute("alter table raw.ingest_files add column if not exists skipped_reason varchar")


def reset_source(con: duckdb.DuckDBPyConnection, source: str, tables: dict[str, list[str]]) -> None:
    """Start a source afresh: the inbox is the whole truth on every run."""
    ensure_bookkeeping_tables(con)
    con.execute("delete from raw.quarantine where source = ?", [source])
    con.execute("delete from raw.ingest_files where source = ?", [source])
    for table, columns in tables.items():
        cols = ", ".join(f'"{c}" varchar' for c in columns)
        con.execute(f"create or replace table raw.{table} ({cols}, _file varchar, _line bigint)")


def record_file(con: duckdb.DuckDBPyConnection, load: FileLoad) -> FileLoad:
    con.execute(
        "insert into raw.ingest_files (source, _file, encoding, layout, rows_read, rows_loaded, rows_quarantined, "
        "skipped_reason) values (?, ?, ?, ?, ?, ?, ?, ?)",
        [load.source, load.file, load.encoding, load.layout, load.rows_read, load.rows_loaded, load.rows_quarantined,
         load.skipped_reason],
    )
    return load


def record_skipped(con: duckdb.DuckDBPyConnection, source: str, rel_path: str, reason: str) -> FileLoad:
    """List a file that is not read: rows_read 0, with the reason."""
    return record_file(con, FileLoad(source, rel_path, None, None, 0, 0, 0, reason))


def source_files(con: duckdb.DuckDBPyConnection, inbox: Path, folder: str, source: str | None = None) -> list[tuple[Path, str]]:
    """The files a source reads under `inbox/folder` (see `folder_files`), after listing the
    ones it skips there (hidden files, entries that are not regular files) in raw.ingest_files.

    Call after `reset_source`, which clears the source's earlier rows.
    """
    for rel_path, reason in skipped_files(inbox, folder):
        record_skipped(con, source or folder, rel_path, reason)
    return folder_files(inbox, folder)


# DuckDB expands glob characters in a read_csv path even when it is a parameter: every path
# read goes through this (assets/sql_text.py), so `opt*.csv` reads that one file only.
duckdb_file_path = exact_path


def detect_encoding(con: duckdb.DuckDBPyConnection, path: Path) -> str:
    """UTF-8 when DuckDB reads the whole file as UTF-8, else Latin-1 (which decodes any byte).

    For the files DuckDB reads (`load_tab_file`, do-not-call lists); `detect_text_encoding`
    decides the same for the files read in Python.
    """
    try:
        with duckdb_file_path(path) as readable:
            con.execute(f"select count(*) from {whole_lines_relation('utf-8')}", [readable]).fetchone()
        return "utf-8"
    except duckdb.InvalidInputException as error:
        if "unicode" in str(error).lower() or "utf-8" in str(error).lower():
            return "latin-1"
        raise


def detect_text_encoding(path: Path) -> str:
    """UTF-8 when the whole file decodes as UTF-8, else Latin-1; read in chunks."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "latin-1"
    return "utf-8"


def physical_lines(path: Path, encoding: str) -> Iterator[tuple[int, str]]:
    """(1-based line number, text) of every physical line: split on LF only, one CR before it
    dropped, a UTF-8 byte-order mark opening the file dropped (whatever the encoding)."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if number == 1 and raw.startswith(_BOM):
                raw = raw[len(_BOM):]
            if raw.endswith(b"\n"):
                raw = raw[:-1]
            if raw.endswith(b"\r"):
                raw = raw[:-1]
            yield number, raw.decode(encoding)


def first_line(path: Path, encoding: str) -> str:
    return next(physical_lines(path, encoding), (1, ""))[1]


def csv_header(path: Path, encoding: str, rel_path: str | None = None) -> list[str]:
    """The header fields of a comma CSV (its first line), as written."""
    text = first_line(path, encoding)
    name = rel_path or path.name
    if "\x00" in text:
        raise LayoutError(f"{name}: the header line holds a NUL byte.")
    try:
        return next(csv.reader([text], strict=True), [])
    except csv.Error as error:
        raise LayoutError(f"{name}: the header line is not a comma-separated header ({_csv_error(error)}).") from None


def parse_csv_line(text: str, expected: int) -> tuple[list[str] | None, str | None]:
    """The fields of one CSV line, or None and why it cannot be used."""
    if "\x00" in text:
        return None, NUL_BYTE
    if '"' not in text and "\r" not in text:
        fields = text.split(",")  # what csv.reader makes of a line without quotes, only faster
    else:
        try:
            fields = next(csv.reader([text], strict=True))
        except csv.Error as error:
            return None, f"unparseable CSV line: {_csv_error(error)}"
    if len(fields) != expected:
        return None, f"expected {expected} comma-separated fields, found {len(fields)}"
    return fields, None


UNTERMINATED_QUOTE = "unparseable CSV line: unterminated quote"


def _csv_error(error: csv.Error) -> str:
    message = str(error)
    if "unexpected end of data" in message:
        return "unterminated quote"
    if "new-line character" in message:
        return "carriage return inside an unquoted field"
    return message


def whole_lines_relation(encoding: str, parameter: str = "?") -> str:
    """A relation of the file (the `parameter` placeholder) as (ordinality, raw): each physical line whole.

    Pass the path through `duckdb_file_path`: read_csv expands glob characters.
    """
    return (
        f"read_csv({parameter}, columns={{'raw': 'VARCHAR'}}, delim='" + _WHOLE_LINE_DELIMITER + "', quote='', escape='', "
        f"header=false, auto_detect=false, strict_mode=false, compression='none', encoding='{encoding}') with ordinality"
    )


def read_whole_lines(con: duckdb.DuckDBPyConnection, path: Path, encoding: str, table: str = "_lines") -> None:
    """The temp table `table` (_line, raw) of the file's physical lines, empty ones included.

    DuckDB drops a UTF-8 byte-order mark and CR before LF; a mark read as Latin-1 is dropped here.
    """
    bom = _BOM.decode(encoding) if encoding != "utf-8" else "\ufeff"
    with duckdb_file_path(path) as readable:
        con.execute(
            f"create or replace temp table {table} as select ordinality as _line, "
            "if(ordinality = 1 and starts_with(raw, $bom), substr(raw, length($bom) + 1), raw) as raw "
            f"from {whole_lines_relation(encoding, '$path')}",
            {"bom": bom, "path": readable},
        )


def load_tab_file(
    con: duckdb.DuckDBPyConnection,
    *,
    source: str,
    table: str,
    path: Path,
    rel_path: str,
    encoding: str,
    layout: str,
    field_names: list[str],
    has_header: bool,
    column_map: dict[str, str] | None = None,
) -> FileLoad:
    """Load a tab-separated file line by line.

    `field_names` are the file's own fields in order (its header, or the documented order);
    `column_map` maps a field name to the raw table column it fills (default: same name,
    unmapped fields are dropped). A line with another number of fields, or holding a NUL
    byte, is quarantined; empty lines are skipped and not counted.
    """
    column_map = column_map or {name: name for name in field_names}
    expected = len(field_names)
    read_whole_lines(con, path, encoding)
    con.execute(
        "create or replace temp table _split as "
        "select _line, raw, parts, case when contains(raw, chr(0)) then $nul "
        "when len(parts) <> $expected then 'expected ' || $expected || ' tab-separated fields, found ' || len(parts) "
        "end as reason "
        "from (select _line, raw, string_split(raw, chr(9)) as parts from _lines "
        "where _line > $skip and raw is not null and raw <> '')",
        {"nul": NUL_BYTE, "expected": expected, "skip": 1 if has_header else 0},
    )
    targets = [(column_map[name], index + 1) for index, name in enumerate(field_names) if name in column_map]
    insert_columns = ", ".join(f'"{column}"' for column, _ in targets)
    select_fields = ", ".join(f"parts[{index}]" for _, index in targets)
    con.execute(
        f"insert into raw.{table} ({insert_columns}, _file, _line) "
        f"select {select_fields}, ?, _line from _split where reason is null order by _line",
        [rel_path],
    )
    con.execute(
        "insert into raw.quarantine select ?, ?, _line, reason, raw from _split where reason is not null order by _line",
        [source, rel_path],
    )
    read, loaded = con.execute("select count(*), count(*) filter (where reason is null) from _split").fetchone()
    con.execute("drop table _lines; drop table _split")
    return record_file(con, FileLoad(source, rel_path, encoding, layout, read, loaded, read - loaded))


def load_csv_lines(
    con: duckdb.DuckDBPyConnection,
    *,
    source: str,
    table: str,
    path: Path,
    rel_path: str,
    encoding: str,
    layout: str,
    field_count: int,
    targets: list[tuple[str, int]],
    quoted_line_breaks: bool = False,
    constants: dict[str, str] | None = None,
) -> FileLoad:
    """Load a comma CSV with a header line by line (Python's csv module on each physical line).

    `field_count` is the number of header fields; `targets` pairs each raw table column to
    fill with its 0-based field index (other fields are dropped, unnamed columns stay NULL).
    A line that does not parse on its own (an unterminated quote), has another number of
    fields, or holds a NUL byte is quarantined with its line number and the line as read;
    the lines after it load normally. Fully empty lines are skipped and not counted as read.
    Rows go to DuckDB in Arrow batches.

    With `quoted_line_breaks` (ActBlue exports, whose comments may hold a line break inside
    quotes), a line ending inside quotes may continue on the next lines, up to
    `_MAX_RECORD_LINES` in all: the record is taken, as one row read with the line it starts
    on, only when the joined lines parse and have the header's field count. Otherwise its
    first line alone is quarantined as an unterminated quote and reading resumes on the line
    after it, so a stray quote still costs one line.

    `constants` fills raw columns with one value for every loaded row (a native export's
    format name, where the file itself carries none).
    """
    constants = constants or {}
    columns = [column for column, _ in targets]
    insert_columns = ", ".join(f'"{column}"' for column in [*columns, *constants])
    values: dict[str, list[str]] = {column: [] for column in columns}
    lines: list[int] = []
    rejected: list[tuple[int, str, str]] = []
    read = loaded = 0

    def flush() -> None:
        if not lines:
            return
        batch = pa.table(
            {**{column: pa.array(values[column], pa.string()) for column in columns},
             **{column: pa.array([value] * len(lines), pa.string()) for column, value in constants.items()},
             "_file": pa.array([rel_path] * len(lines), pa.string()), "_line": pa.array(lines, pa.int64())}
        )
        con.register("_csv_batch", batch)
        try:
            con.execute(f"insert into raw.{table} ({insert_columns}, _file, _line) "
                        f"select {insert_columns}, _file, _line from _csv_batch")
        finally:
            con.unregister("_csv_batch")
        for column in columns:
            values[column].clear()
        lines.clear()

    source_lines = physical_lines(path, encoding)
    next(source_lines, None)  # the header
    pending: deque[tuple[int, str]] = deque()  # lines looked ahead at, to read again

    def next_line() -> tuple[int, str] | None:
        return pending.popleft() if pending else next(source_lines, None)

    for line in iter(next_line, None):
        number, text = line
        if text == "":
            continue
        read += 1
        fields, reason = parse_csv_line(text, field_count)
        if reason == UNTERMINATED_QUOTE and quoted_line_breaks:
            fields = _continued_record(text, field_count, next_line, pending)
            if fields is not None:
                reason = None
        if reason is not None:
            rejected.append((number, reason, text))
            continue
        for column, index in targets:
            values[column].append(fields[index])
        lines.append(number)
        loaded += 1
        if len(lines) >= _BATCH_ROWS:
            flush()
    source_lines.close()
    flush()
    if rejected:
        quarantine = pa.table({
            "source": pa.array([source] * len(rejected), pa.string()),
            "_file": pa.array([rel_path] * len(rejected), pa.string()),
            "_line": pa.array([number for number, _, _ in rejected], pa.int64()),
            "reason": pa.array([reason for _, reason, _ in rejected], pa.string()),
            "raw_line": pa.array([text for _, _, text in rejected], pa.string()),
        })
        con.register("_csv_rejected", quarantine)
        try:
            con.execute("insert into raw.quarantine (source, _file, _line, reason, raw_line) "
                        "select source, _file, _line, reason, raw_line from _csv_rejected")
        finally:
            con.unregister("_csv_rejected")
    return record_file(con, FileLoad(source, rel_path, encoding, layout, read, loaded, len(rejected)))


def _continued_record(text: str, field_count: int, next_line, pending: deque) -> list[str] | None:
    """The fields of the record that starts with `text` and goes on over the next lines, or None
    (the lines read ahead are then put back to be read on their own)."""
    taken: list[tuple[int, str]] = []
    joined = text
    while len(taken) < _MAX_RECORD_LINES - 1 and (line := next_line()) is not None:
        taken.append(line)
        joined += "\n" + line[1]
        fields, reason = parse_csv_line(joined, field_count)
        if reason is None:
            return fields
        if reason != UNTERMINATED_QUOTE:
            break
    pending.extendleft(reversed(taken))
    return None
