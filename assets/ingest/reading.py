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

A line longer than the policy's `max_line_bytes` (default 65536; its bytes as read, the line
end not counted) is quarantined with its file, line and length, whole (a quarantined
suppression line still suppresses every number it holds), and never split into fields.

Every file is opened through `open_inbox_file` first, which looks at its bytes, not its
name: a gzip stream or a zip archive holding one file is decompressed into a private scratch
folder and read like any file, named `voters/ncvoter_Statewide.zip!ncvoter_Statewide.txt`
(lines counted within the member); UTF-16 and UTF-32 text (a byte-order mark, or NUL bytes
every other byte) is converted to UTF-8 there. A zip with no file or several, a corrupt or
encrypted archive, another compression format, or text that does not decode as the encoding
it announces is refused (`LayoutError`) naming the file and what was expected.

File paths reach DuckDB only as parameters, and never as a glob: DuckDB expands `*`, `?` and
`[` in a read_csv path even when it is a parameter, so such paths go through a plain-named
link (`duckdb_file_path`). Messages name the file and line, never a value read.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import os
import re
import shutil
import tempfile
import zipfile
import zlib
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from configuration.config_files import DEFAULT_MAX_LINE_BYTES

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
# Every over-long line's reason holds this phrase (the full reason adds the line's length).
OVER_LONG = "longer than max_line_bytes"
# DuckDB's own line limit is set above the file's size, so it never cuts or drops a line (a
# line past its default limit of 2 MB stops the read mid-file and vanishes at the end of a
# file); the policy's limit is applied on the lines it returns.
_DUCKDB_MIN_LINE_SIZE = 2_097_152
_DUCKDB_MAX_LINE_SIZE = 1 << 40
_COPY_CHUNK = 1 << 20
# Bytes looked at to recognise compression and UTF-16/32.
_SNIFF_BYTES = 4096
# macOS Finder's "Compress" adds resource-fork copies under this folder; they hold no records.
_ZIP_METADATA_FOLDER = "__MACOSX/"


class LayoutError(ValueError):
    """A file whose layout is not the one expected; the message names the file and what was expected."""


# Files whose whole error one message carries; the rest are named only.
_EXPLAINED_FILES = 3
_NAMED_FILES = 20


class FilesNotRead(LayoutError):
    """Files of one family whose layout could not be read, as (name, error) pairs; raised after
    the family's other files were loaded and recorded, so one run names every such file. The
    message explains the first three and names up to twenty more."""

    def __init__(self, errors: list[tuple[str, str]]):
        self.errors = list(errors)
        explained = "; ".join(message for _, message in errors[:_EXPLAINED_FILES])
        rest = [name for name, _ in errors[_EXPLAINED_FILES:]]
        if len(errors) == 1:
            text = explained
        else:
            text = f"{len(errors)} files cannot be read: {explained}"
            if rest:
                text += "; also " + ", ".join(rest[:_NAMED_FILES])
                text += f" and {len(rest) - _NAMED_FILES} more" if len(rest) > _NAMED_FILES else ""
        super().__init__(text)


@dataclass(frozen=True)
class ReadOptions:
    """How inbox files are read: the policy's `max_line_bytes`, and the folder decompressed
    and converted copies are written to (a private folder under HOME in a run; the system's
    temporary folder when None)."""

    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES
    scratch: Path | None = None


DEFAULT_OPTIONS = ReadOptions()


def over_long_reason(line_bytes: int, limit: int) -> str:
    return f"line of {line_bytes} bytes is {OVER_LONG} ({limit})"


@dataclass(frozen=True)
class InboxFile:
    """One inbox file as the readers see it."""

    path: Path  # plain text to read: the file itself, or its decompressed or UTF-8 copy
    name: str  # what `_file` records and messages name: voters/a.txt, voters/a.zip!a.txt
    inner_name: str  # the name of what is read: a zip member's name, a .gz file's name without .gz
    converted_from: str | None = None  # the encoding a UTF-8 copy was made from (utf-16-le, ...)

    def encoding_label(self, read_encoding: str) -> str:
        """The encoding raw.ingest_files records: the file's own, not its copy's."""
        return self.converted_from or read_encoding


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


# Told of every file recorded (assets/ingest/progress.py counts them for its progress lines).
FILE_LISTENER: ContextVar[Callable[[FileLoad], None] | None] = ContextVar("ingest_file_listener", default=None)


def record_file(con: duckdb.DuckDBPyConnection, load: FileLoad) -> FileLoad:
    if (listener := FILE_LISTENER.get()) is not None:
        listener(load)
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


def _compression(head: bytes) -> str | None:
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if head.startswith(b"BZh") and head[3:4].isdigit() and head[4:10] in (b"1AY&SY", b"\x17rE8P\x90"):
        return "bzip2"
    for magic, name in ((b"\xfd7zXZ\x00", "xz"), (b"\x28\xb5\x2f\xfd", "zstd"), (b"7z\xbc\xaf\x27\x1c", "7z")):
        if head.startswith(magic):
            return name
    return None


def _wide_encoding(head: bytes) -> str | None:
    """UTF-32 or UTF-16 from a byte-order mark, or UTF-16 from NULs in every other byte (text
    in Latin letters written as UTF-16 without a mark); None for anything else."""
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "utf-32"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    sample = head[: len(head) // 2 * 2]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) >= 0.9 * len(odd) and even.count(0) <= 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) >= 0.9 * len(even) and odd.count(0) <= 0.1 * len(odd):
        return "utf-16-be"
    return None


def _head(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(_SNIFF_BYTES)


_EXPECTED_CONTAINER = "expected a plain text file, a .gz of one, or a .zip holding one file"
_EXPECTED_TEXT = "expected text in UTF-8, Latin-1, UTF-16 or UTF-32"


@contextmanager
def open_inbox_file(path: Path, rel: str, options: ReadOptions = DEFAULT_OPTIONS,
                    utf8: bool = False) -> Iterator[InboxFile]:
    """The inbox file `path` (`rel` relative to the inbox) ready to read: decompressed and
    converted to UTF-8 as needed (see the module's docstring), copies removed on exit.

    With `utf8` (files DuckDB reads) a file that is not UTF-8 is also converted, from
    Latin-1: DuckDB's own Latin-1 reader refuses the bytes 0x80 to 0x9F, which a UTF-8 file
    with one bad byte (or a Windows-1252 one) holds. Raises LayoutError naming the file for
    an archive or encoding it cannot read.
    """
    copies: list[Path] = []

    def scratch_file() -> Path:
        if options.scratch is not None:
            for folder in (options.scratch.parent, options.scratch):
                folder.mkdir(exist_ok=True, mode=0o700)
        handle, name = tempfile.mkstemp(prefix="inbox-", suffix=".txt", dir=options.scratch)
        os.close(handle)
        copies.append(Path(name))
        return copies[-1]

    try:
        current, name, inner = path, rel, path.name
        compression = _compression(_head(path))
        if compression == "gzip":
            current = _gunzip(path, rel, scratch_file())
            inner = path.name[:-3] if path.name.lower().endswith(".gz") else path.name
        elif compression == "zip":
            current, member = _unzip(path, rel, scratch_file)
            name, inner = f"{rel}!{member}", member.rsplit("/", 1)[-1]
        elif compression is not None:
            raise LayoutError(f"{rel}: compressed with {compression}, which is not read; {_EXPECTED_CONTAINER}.")
        if compression is not None and (nested := _compression(_head(current))) is not None:
            raise LayoutError(f"{name}: a {nested} archive inside a {compression} archive; {_EXPECTED_CONTAINER}.")
        converted = _wide_encoding(_head(current))
        if converted is None and utf8 and detect_text_encoding(current) == "latin-1":
            converted = "latin-1"
        if converted is not None:
            current = _to_utf8(current, name, converted, scratch_file())
        yield InboxFile(current, name, inner, converted)
    finally:
        for copy in copies:
            copy.unlink(missing_ok=True)


def _gunzip(path: Path, rel: str, target: Path) -> Path:
    try:
        with gzip.open(path, "rb") as source, target.open("wb") as out:
            shutil.copyfileobj(source, out, _COPY_CHUNK)
    except EOFError:
        raise LayoutError(f"{rel}: a gzip file that ends early (truncated); {_EXPECTED_CONTAINER}.") from None
    except (OSError, zlib.error) as error:
        raise LayoutError(f"{rel}: a gzip file that cannot be decompressed ({_reason(error)}); "
                          f"{_EXPECTED_CONTAINER}.") from None
    return target


def _unzip(path: Path, rel: str, scratch_file) -> tuple[Path, str]:
    try:
        with zipfile.ZipFile(path) as archive:
            members = [info for info in archive.infolist()
                       if not info.is_dir() and not info.filename.startswith(_ZIP_METADATA_FOLDER)]
            if len(members) != 1:
                listed = "" if not members else ": " + ", ".join(info.filename for info in members[:5]) + (
                    ", ..." if len(members) > 5 else "")
                raise LayoutError(f"{rel}: a zip archive holding {len(members)} files{listed}; "
                                  f"{_EXPECTED_CONTAINER} (unzip it into the folder instead).")
            member = members[0]
            if member.flag_bits & 0x1:
                raise LayoutError(f"{rel}: an encrypted zip archive; {_EXPECTED_CONTAINER}, not encrypted.")
            target = scratch_file()
            with archive.open(member) as source, target.open("wb") as out:
                shutil.copyfileobj(source, out, _COPY_CHUNK)
            return target, member.filename
    except LayoutError:
        raise
    except EOFError:
        raise LayoutError(f"{rel}: a zip archive that ends early (truncated); {_EXPECTED_CONTAINER}.") from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, zlib.error, ValueError) as error:
        raise LayoutError(f"{rel}: a zip archive that cannot be read ({_reason(error)}); {_EXPECTED_CONTAINER}.") from None


def _reason(error: BaseException) -> str:
    """An archive library's message, which names the archive's structure, never its content."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return text[:200]


def _to_utf8(path: Path, name: str, encoding: str, target: Path) -> Path:
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    offset = 0
    try:
        with path.open("rb") as source, target.open("w", encoding="utf-8", newline="") as out:
            while chunk := source.read(_COPY_CHUNK):
                out.write(decoder.decode(chunk))
                offset += len(chunk)
            out.write(decoder.decode(b"", final=True))
    except UnicodeDecodeError as error:
        where = offset + error.start if error.start < len(error.object) else offset
        how = "a byte-order mark" if encoding in ("utf-16", "utf-32") else "NUL bytes every other byte"
        raise LayoutError(f"{name}: looks like {encoding.upper()} ({how}) but does not decode as it near byte "
                          f"{where}; {_EXPECTED_TEXT}.") from None
    return target


# DuckDB expands glob characters in a read_csv path even when it is a parameter: every path
# read goes through this (assets/sql_text.py), so `opt*.csv` reads that one file only.
duckdb_file_path = exact_path


def _duckdb_line_size(path: Path) -> int:
    """A DuckDB max_line_size above the file's longest line (so it never cuts one) and no larger:
    DuckDB's read buffer is 16 times this, so the file's size (the old bound) cost gigabytes
    for a large file. A file smaller than DuckDB's default needs no scan."""
    size = path.stat().st_size
    if size + 16 <= _DUCKDB_MIN_LINE_SIZE or _every_block_has_a_line_end(path):
        return _DUCKDB_MIN_LINE_SIZE
    return min(max(longest_line_bytes(path) + 16, _DUCKDB_MIN_LINE_SIZE), _DUCKDB_MAX_LINE_SIZE)


# A line at least twice this long covers one whole aligned block of the file without a LF, so
# when every block holds one, every line is shorter than DuckDB's default limit (with room for
# the 16 bytes `_duckdb_line_size` adds) and the exact scan is not needed.
_LINE_END_BLOCK = (_DUCKDB_MIN_LINE_SIZE - 32) // 2


def _every_block_has_a_line_end(path: Path) -> bool:
    """True when each whole `_LINE_END_BLOCK`-byte block of the file holds a LF. The search
    stops at a block's first LF, so a file of ordinary lines costs little more than reading
    it, far less than `longest_line_bytes`'s comparison of every byte."""
    with path.open("rb") as handle:
        while len(block := handle.read(_LINE_END_BLOCK)) == _LINE_END_BLOCK:
            if b"\n" not in block:
                return False
    return True


_SCAN_CHUNK = 1 << 26


def longest_line_bytes(path: Path) -> int:
    """The length of the file's longest LF-terminated line, line end included, found with numpy
    (about a second per gigabyte); a lone CR, which DuckDB also ends a line at, only makes
    DuckDB's lines shorter than this."""
    longest, open_line = 0, 0
    with path.open("rb") as handle:
        while chunk := handle.read(_SCAN_CHUNK):
            ends = np.flatnonzero(np.frombuffer(chunk, dtype=np.uint8) == 10)
            if len(ends) == 0:
                open_line += len(chunk)
                continue
            longest = max(longest, open_line + int(ends[0]) + 1)
            if len(ends) > 1:
                longest = max(longest, int(np.diff(ends).max()))
            open_line = len(chunk) - int(ends[-1]) - 1
    return max(longest, open_line)


def _unreadable(name: str, error: duckdb.Error) -> LayoutError:
    """DuckDB's CSV errors quote the line ('Original Line: ...'): only its line number is kept."""
    line = re.search(r"on Line: (\d+)", str(error))
    where = f" at line {line.group(1)}" if line else ""
    return LayoutError(f"{name}: DuckDB could not read it as lines of text{where}; {_EXPECTED_TEXT}.")


def detect_text_encoding(path: Path) -> str:
    """UTF-8 when the whole file decodes as UTF-8, else Latin-1 (which decodes any byte); read in chunks."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "latin-1"
    return "utf-8"


def physical_lines(path: Path, encoding: str) -> Iterator[tuple[int, str, int]]:
    """(1-based line number, text, bytes) of every physical line: split on LF only, one CR
    before it dropped, a UTF-8 byte-order mark opening the file dropped (whatever the
    encoding); bytes is the line's length as read, without its line end."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if number == 1 and raw.startswith(_BOM):
                raw = raw[len(_BOM):]
            if raw.endswith(b"\n"):
                raw = raw[:-1]
            if raw.endswith(b"\r"):
                raw = raw[:-1]
            yield number, raw.decode(encoding), len(raw)


def first_line(path: Path, encoding: str, name: str | None = None, max_line_bytes: int = DEFAULT_MAX_LINE_BYTES) -> str:
    """The file's first line (its header, or its first record where there is none).

    Read at most `max_line_bytes` (plus a mark and a line end) of it: a longer first line
    leaves the layout unknown, so the file is refused naming it.
    """
    with path.open("rb") as handle:
        raw = handle.readline(max_line_bytes + len(_BOM) + 2)
        if raw and not raw.endswith(b"\n") and handle.read(1):
            raise LayoutError(f"{name or path.name}: the first line is {OVER_LONG} ({max_line_bytes}); "
                              "expected a header or record line of ordinary length.")
    if raw.startswith(_BOM):
        raw = raw[len(_BOM):]
    raw = raw.removesuffix(b"\n").removesuffix(b"\r")
    if len(raw) > max_line_bytes:
        raise LayoutError(f"{name or path.name}: the first line is {OVER_LONG} ({max_line_bytes}); "
                          "expected a header or record line of ordinary length.")
    return raw.decode(encoding)


def csv_header(path: Path, encoding: str, rel_path: str | None = None,
               max_line_bytes: int = DEFAULT_MAX_LINE_BYTES) -> list[str]:
    """The header fields of a comma CSV (its first line), as written."""
    name = rel_path or path.name
    text = first_line(path, encoding, name, max_line_bytes)
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


def whole_lines_relation(encoding: str, parameter: str = "?", max_line_size: int = _DUCKDB_MIN_LINE_SIZE) -> str:
    """A relation of the file (the `parameter` placeholder) as (ordinality, raw): each physical line whole.

    Pass the path through `duckdb_file_path`: read_csv expands glob characters. Give a
    `max_line_size` above the file's size (`_duckdb_line_size`), or DuckDB cuts long lines.
    """
    return (
        f"read_csv({parameter}, columns={{'raw': 'VARCHAR'}}, delim='" + _WHOLE_LINE_DELIMITER + "', quote='', escape='', "
        f"header=false, auto_detect=false, strict_mode=false, compression='none', encoding='{encoding}', "
        f"max_line_size={int(max_line_size)}) with ordinality"
    )


def read_whole_lines(con: duckdb.DuckDBPyConnection, path: Path, encoding: str, table: str = "_lines",
                     name: str | None = None, from_latin1: bool = False) -> None:
    """The temp table `table` (_line, raw, line_bytes) of the file's physical lines, empty ones included.

    DuckDB drops a UTF-8 byte-order mark and CR before LF; a mark read as Latin-1 is dropped
    here. line_bytes is the line's length in the file: one byte a character when it is
    Latin-1, or (`from_latin1`) a UTF-8 copy of a Latin-1 file.
    """
    bom = _BOM.decode(encoding) if encoding != "utf-8" else "\ufeff"
    length = "strlen(raw)" if encoding == "utf-8" and not from_latin1 else "length(raw)"
    try:
        with duckdb_file_path(path) as readable:
            con.execute(
                f"create or replace temp table {table} as select _line, raw, {length} as line_bytes from ("
                "select ordinality as _line, "
                "if(ordinality = 1 and starts_with(raw, $bom), substr(raw, length($bom) + 1), raw) as raw "
                f"from {whole_lines_relation(encoding, '$path', _duckdb_line_size(path))})",
                {"bom": bom, "path": readable},
            )
    except duckdb.InvalidInputException as error:
        raise _unreadable(name or path.name, error) from None


def over_long_sql(limit: int) -> str:
    """The quarantine reason of an over-long line in SQL over `line_bytes` (see `over_long_reason`)."""
    return f"'line of ' || line_bytes || ' bytes is {OVER_LONG} ({int(limit)})'"


def _lines_relation(path_parameter: str, encoding: str, max_line_size: int, from_latin1: bool) -> str:
    """(_line, raw, line_bytes) of every physical line of the file, streamed (not materialized):
    empty lines have raw NULL or ''. As in `read_whole_lines`."""
    length = "strlen(raw)" if encoding == "utf-8" and not from_latin1 else "length(raw)"
    return (f"(select _line, raw, {length} as line_bytes from ("
            "select ordinality as _line, "
            "if(ordinality = 1 and starts_with(raw, $bom), substr(raw, length($bom) + 1), raw) as raw "
            f"from {whole_lines_relation(encoding, path_parameter, max_line_size)}))")


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
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
    recorded_encoding: str | None = None,
) -> FileLoad:
    """Load a tab-separated file line by line.

    `field_names` are the file's own fields in order (its header, or the documented order);
    `column_map` maps a field name to the raw table column it fills (default: same name,
    unmapped fields are dropped). A line longer than `max_line_bytes`, with another number
    of fields, or holding a NUL byte, is quarantined; empty lines are skipped and not counted.
    `recorded_encoding` is what raw.ingest_files records (default `encoding`).

    The file is read once into a temp table of its numbered non-empty lines (DuckDB's buffer
    manager bounds its memory: a state file is gigabytes at ten million voters, and what does
    not fit the memory limit spills, encrypted, under HOME); from it the good lines are split
    into the raw table and the bad ones, with their reason, go to the quarantine, both on all
    threads. Fields are counted on the line's split (the tabs plus one); an over-long line is
    never split.
    """
    column_map = column_map or {name: name for name in field_names}
    expected = len(field_names)
    bom = _BOM.decode(encoding) if encoding != "utf-8" else "\ufeff"
    lines = _lines_relation("$path", encoding, _duckdb_line_size(path), recorded_encoding == "latin-1")
    # A line's fields are counted on its split: the split is needed for the load anyway, and
    # counting tabs by `replace` copied every line (it took as long as the split and the load's
    # filter together). Over-long lines are filtered, or take an earlier CASE branch, before it.
    fields = "len(string_split(raw, chr(9)))"
    targets = [(column_map[name], index + 1) for index, name in enumerate(field_names) if name in column_map]
    insert_columns = ", ".join(f'"{column}"' for column, _ in targets)
    select_fields = ", ".join(f"parts[{index}]" for _, index in targets)
    try:
        with duckdb_file_path(path) as readable:
            # Numbering the lines (ordinality) is a streaming window, which DuckDB runs on one thread
            # and which then kept the split and the write on that thread too. Numbered once into a
            # temp table (buffer-managed: it spills, encrypted, beyond the memory limit), the lines
            # are split and written by every thread, and the quarantine reads them from there
            # instead of parsing the file a second time.
            con.execute(f"create or replace temp table _tab_lines as select _line, raw, line_bytes from {lines} "
                        "where _line > $skip and raw <> ''",
                        {"bom": bom, "path": readable, "skip": 1 if has_header else 0})
    except duckdb.InvalidInputException as error:
        raise _unreadable(rel_path, error) from None
    try:
        params = {"limit": max_line_bytes, "file": rel_path, "expected": expected}
        loaded = con.execute(
            f"insert into raw.{table} ({insert_columns}, _file, _line) "
            f"select {select_fields}, $file, _line from (select _line, string_split(raw, chr(9)) as parts "
            f"from _tab_lines where line_bytes <= $limit and not contains(raw, chr(0))) where len(parts) = $expected",
            params,
        ).fetchone()[0]
        # A line is either loaded or has a reason below, so when every line loaded there is
        # nothing to quarantine and the second pass over the lines is skipped.
        quarantined = 0
        if loaded < con.execute("select count(*) from _tab_lines").fetchone()[0]:
            quarantined = con.execute(
                "insert into raw.quarantine select $source, $file, _line, reason, raw from ("
                f"select _line, raw, case when line_bytes > $limit then {over_long_sql(max_line_bytes)} "
                "when contains(raw, chr(0)) then $nul "
                f"when {fields} <> $expected then 'expected ' || $expected || ' tab-separated fields, found ' "
                f"|| {fields} end as reason from _tab_lines) "
                "where reason is not null order by _line",
                {**params, "source": source, "nul": NUL_BYTE},
            ).fetchone()[0]
    finally:
        con.execute("drop table if exists _tab_lines")
    return record_file(con, FileLoad(source, rel_path, recorded_encoding or encoding, layout,
                                     loaded + quarantined, loaded, quarantined))


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
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
    recorded_encoding: str | None = None,
) -> FileLoad:
    """Load a comma CSV with a header line by line (Python's csv module on each physical line).

    `field_count` is the number of header fields; `targets` pairs each raw table column to
    fill with its 0-based field index (other fields are dropped, unnamed columns stay NULL).
    A line longer than `max_line_bytes`, that does not parse on its own (an unterminated
    quote), has another number of fields, or holds a NUL byte is quarantined with its line
    number and the line as read;
    the lines after it load normally. Fully empty lines are skipped and not counted as read.
    Rows go to DuckDB in Arrow batches.

    With `quoted_line_breaks` (ActBlue exports, whose comments may hold a line break inside
    quotes), a line ending inside quotes may continue on the next lines, up to
    `_MAX_RECORD_LINES` lines and `max_line_bytes` in all: the record is taken, as one row
    read with the line it starts on, only when the joined lines parse and have the header's
    field count. Otherwise its
    first line alone is quarantined as an unterminated quote and reading resumes on the line
    after it, so a stray quote still costs one line.

    `constants` fills raw columns with one value for every loaded row (a native export's
    format name, where the file itself carries none).

    A UTF-8 file without a lone carriage return (the usual case) is read by DuckDB: the lines
    that need no CSV parsing (no quote, CR or NUL, not over-long, the header's field count of
    commas) are split in SQL, and only the others go through the Python rules above, with
    the same results (`_load_csv_lines_sql`). Any other file is read line by line in Python.
    """
    arguments = dict(source=source, table=table, path=path, rel_path=rel_path, layout=layout,
                     field_count=field_count, targets=targets, quoted_line_breaks=quoted_line_breaks,
                     constants=constants or {}, max_line_bytes=max_line_bytes,
                     recorded_encoding=recorded_encoding or encoding)
    if encoding == "utf-8" and not has_lone_carriage_return(path):
        return _load_csv_lines_sql(con, **arguments)
    return _load_csv_lines_python(con, encoding=encoding, **arguments)


def _load_csv_lines_python(
    con: duckdb.DuckDBPyConnection, *, source: str, table: str, path: Path, rel_path: str, encoding: str,
    layout: str, field_count: int, targets: list[tuple[str, int]], quoted_line_breaks: bool,
    constants: dict[str, str], max_line_bytes: int, recorded_encoding: str,
) -> FileLoad:
    """`load_csv_lines` for any file, one physical line at a time in Python."""
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
        number, text, line_bytes = line
        if text == "":
            continue
        read += 1
        if line_bytes > max_line_bytes:
            rejected.append((number, over_long_reason(line_bytes, max_line_bytes), text))
            continue
        fields, reason = parse_csv_line(text, field_count)
        if reason == UNTERMINATED_QUOTE and quoted_line_breaks:
            fields = _continued_record(text, line_bytes, field_count, max_line_bytes, next_line, pending)
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
        quarantine_rejected(con, source, rel_path, rejected)
    return record_file(con, FileLoad(source, rel_path, recorded_encoding or encoding, layout, read, loaded, len(rejected)))


def has_lone_carriage_return(path: Path) -> bool:
    """True when the file holds a CR not followed by LF: DuckDB ends a line there (Python's
    reading does not), so such a file is read by the Python path."""
    previous_cr = False
    with path.open("rb") as handle:
        while chunk := handle.read(_SCAN_CHUNK):
            if previous_cr and not chunk.startswith(b"\n"):
                return True
            crs = chunk.count(b"\r")
            if crs and crs != chunk.count(b"\r\n") + chunk.endswith(b"\r"):
                return True
            previous_cr = chunk.endswith(b"\r")
    return previous_cr


def _load_csv_lines_sql(
    con: duckdb.DuckDBPyConnection, *, source: str, table: str, path: Path, rel_path: str, layout: str,
    field_count: int, targets: list[tuple[str, int]], quoted_line_breaks: bool, constants: dict[str, str],
    max_line_bytes: int, recorded_encoding: str,
) -> FileLoad:
    """`load_csv_lines` for a UTF-8 file without lone CRs: DuckDB reads the lines; the simple
    ones are split in SQL, the rest walked in line order with the Python rules.

    The walk sees exactly the lines the Python reader would treat specially. A record that
    continues over the next lines (ActBlue) takes them from the line table; the lines it
    consumes are then not loaded on their own, as in the Python reader.
    """
    columns = [column for column, _ in targets]
    # Bytes, not characters (a comma is one byte; see `load_tab_file`).
    commas = "(strlen(raw) - strlen(replace(raw, ',', '')) + 1)"
    try:
        with duckdb_file_path(path) as readable:
            con.execute(
                "create or replace temp table _csv_lines as select _line, coalesce(raw, '') as raw, "
                "coalesce(line_bytes, 0) as line_bytes, "
                f"(coalesce(line_bytes, 0) <= $limit and raw <> '' and not contains(raw, '\"') "
                f"and not contains(raw, chr(13)) and not contains(raw, chr(0)) and {commas} = $fields) as simple "
                f"from {_lines_relation('$path', 'utf-8', _duckdb_line_size(path), False)} where _line > 1",
                {"bom": "\ufeff", "path": readable, "limit": max_line_bytes, "fields": field_count},
            )
    except duckdb.InvalidInputException as error:
        raise _unreadable(rel_path, error) from None
    special = con.execute("select _line, raw, line_bytes from _csv_lines where not simple and raw <> '' "
                          "order by _line").fetchall()
    values: dict[str, list[str]] = {column: [] for column in columns}
    lines: list[int] = []
    consumed: list[int] = []
    rejected: list[tuple[int, str, str]] = []
    consumed_until = 0
    for number, text, line_bytes in special:
        if number <= consumed_until:
            continue  # a line of a record that started above
        if line_bytes > max_line_bytes:
            rejected.append((number, over_long_reason(line_bytes, max_line_bytes), text))
            continue
        fields, reason = parse_csv_line(text, field_count)
        if reason == UNTERMINATED_QUOTE and quoted_line_breaks:
            following = deque(con.execute(
                "select _line, raw, line_bytes from _csv_lines where _line > ? and _line < ? order by _line",
                [number, number + _MAX_RECORD_LINES]).fetchall())
            taken: list[int] = []

            def next_line():
                if not following:
                    return None
                line = following.popleft()
                taken.append(line[0])
                return line

            put_back: deque = deque()
            fields = _continued_record(text, line_bytes, field_count, max_line_bytes, next_line, put_back)
            if fields is not None:
                reason = None
                consumed.extend(taken)
                consumed_until = taken[-1]
        if reason is not None:
            rejected.append((number, reason, text))
            continue
        for column, index in targets:
            values[column].append(fields[index])
        lines.append(number)
    walked = pa.table({**{column: pa.array(values[column], pa.string()) for column in columns},
                       "_line": pa.array(lines, pa.int64())})
    consumed_table = pa.table({"_line": pa.array(consumed, pa.int64())})
    constant_names = list(constants)
    insert_columns = ", ".join(f'"{column}"' for column in [*columns, *constant_names])
    # f0, f1, ... name the target columns in both halves of the union (and nothing of the file).
    split_fields = "".join(f"parts[{index + 1}] as f{position}, " for position, (_, index) in enumerate(targets))
    walked_fields = "".join(f'"{column}" as f{position}, ' for position, column in enumerate(columns))
    outer_fields = "".join(f"f{position}, " for position in range(len(columns)))
    constant_values = "".join(f"$c{position}, " for position in range(len(constant_names)))
    con.register("_csv_walked", walked)
    con.register("_csv_consumed", consumed_table)
    try:
        loaded = con.execute(
            f"insert into raw.{table} ({insert_columns}, _file, _line) "
            f"select {outer_fields}{constant_values}$file, _line from ("
            f"select {split_fields}_line from (select _line, string_split(raw, ',') as parts from _csv_lines "
            "where simple and _line not in (select _line from _csv_consumed)) "
            f"union all select {walked_fields}_line from _csv_walked) order by _line",
            {"file": rel_path, **{f"c{position}": constants[name] for position, name in enumerate(constant_names)}},
        ).fetchone()[0]
    finally:
        con.unregister("_csv_walked")
        con.unregister("_csv_consumed")
        con.execute("drop table _csv_lines")
    if rejected:
        quarantine_rejected(con, source, rel_path, rejected)
    return record_file(con, FileLoad(source, rel_path, recorded_encoding, layout, loaded + len(rejected), loaded,
                                     len(rejected)))


def _continued_record(text: str, line_bytes: int, field_count: int, max_line_bytes: int, next_line,
                      pending: deque) -> list[str] | None:
    """The fields of the record that starts with `text` and goes on over the next lines, or None
    (the lines read ahead are then put back to be read on their own)."""
    taken: list[tuple[int, str, int]] = []
    joined, joined_bytes = text, line_bytes
    while len(taken) < _MAX_RECORD_LINES - 1 and (line := next_line()) is not None:
        taken.append(line)
        joined += "\n" + line[1]
        joined_bytes += 1 + line[2]
        if joined_bytes > max_line_bytes:
            break
        fields, reason = parse_csv_line(joined, field_count)
        if reason is None:
            return fields
        if reason != UNTERMINATED_QUOTE:
            break
    pending.extendleft(reversed(taken))
    return None


def snake_case(header_name: str) -> str:
    """A header name as a column key: lower case, every run of other characters than ASCII
    letters and digits one `_`, none at the ends (`Received At` and `received_at` are one)."""
    return re.sub(r"[^a-z0-9]+", "_", header_name.strip().lower()).strip("_")


def quarantine_whole_file(con: duckdb.DuckDBPyConnection, source: str, file: InboxFile, reason: str) -> FileLoad:
    """Every non-empty physical line of a file whose layout could not be read, into
    raw.quarantine with `reason`; recorded as read and quarantined, so its counts reconcile."""
    encoding = detect_text_encoding(file.path)
    if encoding == "utf-8":
        read_whole_lines(con, file.path, encoding, table="_unread_file_lines", name=file.name)
        try:
            # An insert answers with the count of rows it wrote.
            lines = con.execute("insert into raw.quarantine (source, _file, _line, reason, raw_line) "
                                "select $source, $file, _line, $reason, raw from _unread_file_lines where raw <> '' "
                                "order by _line", {"source": source, "file": file.name, "reason": reason}).fetchone()[0]
        finally:
            con.execute("drop table if exists _unread_file_lines")
    else:
        # Latin-1 decodes any byte; DuckDB's reader refuses 0x80 to 0x9F (a Windows-1252 file).
        rejected = [(number, reason, text) for number, text, _ in physical_lines(file.path, encoding) if text]
        quarantine_rejected(con, source, file.name, rejected)
        lines = len(rejected)
    return record_file(con, FileLoad(source, file.name, file.encoding_label(encoding), "not_read", lines, 0, lines))


def quarantine_rejected(con: duckdb.DuckDBPyConnection, source: str, rel_path: str,
                        rejected: list[tuple[int, str, str]]) -> None:
    """Write (line, reason, text) records the CSV rules refused into raw.quarantine."""
    quarantine = pa.table({
        "_line": pa.array([number for number, _, _ in rejected], pa.int64()),
        "reason": pa.array([reason for _, reason, _ in rejected], pa.string()),
        "raw_line": pa.array([text for _, _, text in rejected], pa.string()),
    })
    con.register("_csv_rejected", quarantine)
    try:
        con.execute("insert into raw.quarantine (source, _file, _line, reason, raw_line) "
                    "select $source, $file, _line, reason, raw_line from _csv_rejected order by _line",
                    {"source": source, "file": rel_path})
    finally:
        con.unregister("_csv_rejected")
