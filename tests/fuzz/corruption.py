"""Small valid files of every inbox format, the corruptions hypothesis draws for them, and the
checks every corrupted file must pass once read (shared by the fuzz modules).

A corruption is a list of byte-level operations applied in order: truncation, a stray quote,
a NUL, a separator added or removed (wrong field count), another encoding, a very long
field, random bytes, old-Mac CR line ends, a lost header, compression (a good or broken
.gz or .zip). Each keeps the file's name, so a DNC file keeps its date and kind."""

from __future__ import annotations

import gzip
import io
import json
import re
import shutil
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
from hypothesis import strategies as st

from assets.ingest.reading import DEFAULT_MAX_LINE_BYTES, LayoutError, ReadOptions
from assets.ingest.sources import SOURCE_FAMILIES

AS_OF = datetime.fromisoformat("2026-11-28T12:00:00-05:00")
LIMIT = DEFAULT_MAX_LINE_BYTES
FAMILIES = {family.name: family for family in SOURCE_FAMILIES}
SUPPRESSION_FOLDERS = ("opt_outs", "inbound_sms", "contact_history")
SAMPLE_LINES = 25


@dataclass(frozen=True)
class Sample:
    """One small valid file: its format, inbox folder (the family that reads it), path under the inbox, bytes."""

    format: str
    family: str
    rel: str
    data: bytes

    @property
    def separator(self) -> bytes:
        return b"\t" if self.rel.startswith(("voters/", "vote_history/")) else b","


def _head(path: Path, lines: int = SAMPLE_LINES) -> bytes:
    with path.open("rb") as handle:
        return b"".join(handle.readline() for _ in range(lines))


def _first(inbox: Path, pattern: str) -> Path:
    found = sorted(inbox.glob(pattern))
    assert found, f"the generated inbox has no {pattern}"
    return found[0]


def samples(inbox: Path) -> list[Sample]:
    """A small valid file of every source format, cut from a generated inbox."""
    picks = {
        "nc_ncvoter": ("voters", "voters/ncvoter*.txt"),
        "fl_voters": ("voters", "voters/[A-Z][A-Z][A-Z]_2*.txt"),
        "nc_ncvhis": ("vote_history", "vote_history/ncvhis*.txt"),
        "fl_history": ("vote_history", "vote_history/*_H_*.txt"),
        "actblue": ("donations", "donations/*.csv"),
        "dnc_full": ("dnc", "dnc/federal/dnc_full_*.txt"),
        "dnc_changes": ("dnc", "dnc/federal/dnc_changes_*.txt"),
        **{folder: (folder, f"{folder}/*.csv") for folder in
           ("opt_outs", "inbound_sms", "consents", "line_types", "rnd", "contact_history", "surveys")},
    }
    found = []
    for name, (family, pattern) in picks.items():
        path = _first(inbox, pattern)
        found.append(Sample(name, family, path.relative_to(inbox).as_posix(), _head(path)))
    page_path = _first(inbox, "volunteers/*.json")
    page = json.loads(page_path.read_text())
    page["data"] = page["data"][:SAMPLE_LINES]
    found.append(Sample("mobilize", "volunteers", page_path.relative_to(inbox).as_posix(),
                        json.dumps(page, indent=1).encode()))
    return found


# --- operations ---------------------------------------------------------------------------


def _at(data: bytes, fraction: float) -> int:
    return min(len(data), int(fraction * (len(data) + 1)))


def _line_spans(data: bytes) -> list[tuple[int, int]]:
    spans, start = [], 0
    for index, byte in enumerate(data):
        if byte == 0x0A:
            spans.append((start, index))
            start = index + 1
    if start < len(data):
        spans.append((start, len(data)))
    return spans


def apply(op: tuple, data: bytes, sample: Sample) -> bytes:
    kind = op[0]
    if kind == "truncate":
        return data[:_at(data, op[1])]
    if kind == "insert":  # a stray quote, a NUL, random bytes
        at = _at(data, op[1])
        return data[:at] + op[2] + data[at:]
    if kind == "separator":  # a line with a field too many or too few
        spans = _line_spans(data)
        if not spans:
            return data
        start, end = spans[int(op[1] * len(spans)) % len(spans)]
        line = data[start:end]
        changed = line + sample.separator if op[2] == "add" else line.replace(sample.separator, b"", 1)
        return data[:start] + changed + data[end:]
    if kind == "long_field":
        at = _at(data, op[1])
        return data[:at] + op[3] * op[2] + data[at:]
    if kind == "encode":
        text = data.decode("utf-8", "replace")
        try:
            encoded = text.encode(op[1])
        except UnicodeEncodeError:
            encoded = text.encode(op[1], "replace")
        return encoded[:-1] if op[2] else encoded  # an odd cut makes UTF-16 undecodable
    if kind == "random_file":
        return op[1]
    if kind == "cr_only":
        return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r")
    if kind == "drop_header":
        return data.split(b"\n", 1)[1] if b"\n" in data else b""
    if kind == "gzip":
        packed = gzip.compress(data, mtime=0)
        return packed[:_at(packed, op[1])] if op[1] < 1 else packed
    if kind == "zip":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for index in range(op[1]):
                archive.writestr((f"member{index}_" if index else "") + Path(sample.rel).name, data)
        packed = buffer.getvalue()
        return packed[:_at(packed, op[2])] if op[2] < 1 else packed
    if kind == "json_record":  # a Mobilize page that stays JSON, with one bad record
        try:
            page = json.loads(data)
            records = page["data"]
        except (ValueError, TypeError, KeyError):
            return data
        if not records:
            return data
        index = int(op[2] * len(records)) % len(records)
        record = records[index]
        how = op[1]
        if how == "nul" and isinstance(record, dict) and isinstance(record.get("person"), dict):
            record["person"]["given_name"] = "Ann\x00e"
        elif how == "long":
            records[index] = {**record, "notes": "x" * (LIMIT + 1)} if isinstance(record, dict) else "x" * (LIMIT + 1)
        elif how in ("person", "event", "timeslot") and isinstance(record, dict):
            record[how] = "not an object"
        elif how == "scalar":
            records[index] = 7
        elif how == "surrogate":
            return data.replace(b'"data"', b'"\\ud800": 1, "data"', 1) if index % 2 else json.dumps(
                {**page, "data": records[:index] + [{"id": "\ud800"}] + records[index + 1:]}).encode()
        elif how == "deep":
            return json.dumps(page).encode().replace(b'"data"', b'"x": ' + b"[" * 100_000 + b"]" * 100_000 + b', "data"', 1)
        return json.dumps(page).encode()
    raise AssertionError(kind)


def suffix(ops: list[tuple]) -> str:
    """The file name's extra suffix after these operations (an archive keeps its kind visible)."""
    last = [op[0] for op in ops if op[0] in ("gzip", "zip")]
    return {"gzip": ".gz", "zip": ".zip"}.get(last[-1], "") if last else ""


# Mostly past the header: a broken header only ever refuses the file.
fractions = st.one_of(st.floats(min_value=0.05, max_value=1.0, allow_nan=False), st.just(0.0))
noise = st.binary(min_size=1, max_size=40)
OPERATIONS = st.one_of(
    st.tuples(st.just("truncate"), fractions),
    st.tuples(st.just("insert"), fractions, st.sampled_from([b'"', b"\x00", b'"\x00', b"\r", b"\xff\xfe"])),
    st.tuples(st.just("insert"), fractions, noise),
    st.tuples(st.just("separator"), fractions, st.sampled_from(["add", "drop"])),
    st.tuples(st.just("long_field"), fractions, st.sampled_from([LIMIT + 1, 3 * LIMIT, 40 * LIMIT]),
              st.sampled_from([b"x", b"9", b"\xc3\xa9", b"\t", b","])),
    st.tuples(st.just("encode"), st.sampled_from(["utf-16", "utf-16-le", "utf-16-be", "utf-32", "latin-1", "cp1252"]),
              st.booleans()),
    st.tuples(st.just("random_file"), st.binary(min_size=0, max_size=400)),
    st.tuples(st.just("cr_only")),
    st.tuples(st.just("drop_header")),
    st.tuples(st.just("gzip"), st.sampled_from([1.0, 0.5])),
    st.tuples(st.just("zip"), st.sampled_from([1, 1, 2, 0]), st.sampled_from([1.0, 0.6])),
)
CORRUPTIONS = st.lists(OPERATIONS, min_size=1, max_size=3)
JSON_OPERATIONS = st.tuples(st.just("json_record"),
                            st.sampled_from(["nul", "long", "person", "event", "timeslot", "scalar", "surrogate", "deep"]),
                            fractions)
# A page broken anywhere is one invalid JSON file: most examples keep it JSON with a bad record.
JSON_CORRUPTIONS = st.tuples(JSON_OPERATIONS, st.lists(st.one_of(JSON_OPERATIONS, JSON_OPERATIONS, OPERATIONS),
                                                       max_size=2)).map(lambda drawn: [drawn[0], *drawn[1]])


def corrupt(sample: Sample, ops: list[tuple]) -> tuple[str, bytes]:
    """(path under the inbox, bytes) of the sample after `ops`."""
    data = sample.data
    for op in ops:
        data = apply(op, data, sample)
    return sample.rel + suffix(ops), data


def write_inbox(inbox: Path, files: dict[str, bytes]) -> None:
    shutil.rmtree(inbox, ignore_errors=True)
    for rel, data in files.items():
        path = inbox / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


# --- checks -------------------------------------------------------------------------------


def read_family(con: duckdb.DuckDBPyConnection, inbox: Path, family: str, scratch: Path):
    """The family's real loader on the inbox: its loads, or the LayoutError it refused a file with."""
    try:
        return FAMILIES[family].load(con, inbox, options=ReadOptions(scratch=scratch)), None
    except LayoutError as error:
        return None, str(error)


def assert_refusal_names_file(message: str, rel: str) -> None:
    assert message.startswith(rel), f"the refusal does not start with the file's name {rel!r}: {message!r}"
    assert "Original Line" not in message and "\n" not in message, message


def assert_reconciled(con: duckdb.DuckDBPyConnection, family: str) -> None:
    """Per file read: rows_read = loaded + quarantined, and those rows really are in the tables;
    no loaded value holds a NUL; no line longer than the limit was loaded."""
    files = con.execute("select _file, rows_read, rows_loaded, rows_quarantined from raw.ingest_files "
                        "where source = ? and skipped_reason is null", [family]).fetchall()
    for file, read, loaded, quarantined in files:
        assert read == loaded + quarantined, (file, read, loaded, quarantined)
        in_tables = sum(con.execute(f"select count(*) from raw.{table} where _file = ?", [file]).fetchone()[0]
                        for table in FAMILIES[family].tables)
        assert in_tables == loaded, (file, in_tables, loaded)
        kept = con.execute("select count(*) from raw.quarantine where _file = ?", [file]).fetchone()[0]
        assert kept == quarantined, (file, kept, quarantined)
    for table in FAMILIES[family].tables:
        columns = [row[0] for row in con.execute(
            "select column_name from information_schema.columns where table_schema = 'raw' and table_name = ? "
            "and data_type = 'VARCHAR'", [table]).fetchall()]
        for column in columns:
            bad = con.execute(f'select count(*) from raw.{table} where contains("{column}", chr(0)) '
                              f'or strlen("{column}") > ?', [LIMIT]).fetchone()[0]
            assert bad == 0, f"raw.{table}.{column}: {bad} values with a NUL or over the line limit"


DUCKDB_READ = ("voters", "vote_history", "dnc")


def assert_no_line_vanished(con: duckdb.DuckDBPyConnection, family: str, file: str, data: bytes) -> None:
    """A plain (not compressed, not UTF-16/32) line file: every non-empty line after the header
    is loaded or quarantined, by its own line number.

    Lines end at LF; the files DuckDB reads (tab-separated, DNC) also end a line at a lone CR,
    as DuckDB does (README, the inbox).
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    lines = re.split(rb"\r\n|\r|\n", data) if family in DUCKDB_READ else [
        line.removesuffix(b"\r") for line in data.split(b"\n")]
    if lines and lines[-1] == b"":
        lines.pop()
    headerless = family == "dnc" or (family in ("voters", "vote_history") and not (lines and b"ncid" in lines[0]))
    first = 1 if headerless else 2
    blank = (lambda line: line.strip(b" ") == b"") if family == "dnc" else (lambda line: line == b"")
    expected = {number for number, line in enumerate(lines, start=1) if number >= first and not blank(line)}
    seen = set()
    for table in FAMILIES[family].tables:
        seen |= {row[0] for row in con.execute(f"select _line from raw.{table} where _file = ?", [file]).fetchall()}
    seen |= {row[0] for row in con.execute("select _line from raw.quarantine where _file = ?", [file]).fetchall()}
    missing = sorted(expected - seen)
    if family == "donations":  # a quoted record may span lines: it is read once, by its first line
        return
    assert not missing, f"{file}: lines {missing[:10]} neither loaded nor quarantined"
