"""Writing delimited text from Arrow string columns, and the damage real files carry.

Rows are built as Arrow strings (one per line) and written straight from the Arrow data
buffer: no per-row Python, and the bytes depend only on the values.
"""

from __future__ import annotations

import pathlib

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# Real tab files carry about one line with a wrong field count per 20,000.
MALFORMED_RATE = 1 / 20_000
# Chunks keep every Arrow string buffer far below its 2 GiB offset limit.
CHUNK_ROWS = 500_000

_JOIN = pc.JoinOptions(null_handling="replace", null_replacement="")


def strings(values) -> pa.Array:
    return pa.array(list(values), pa.string())


def pick(values, index: np.ndarray) -> pa.Array:
    """values[index] for a small vocabulary and a large index array."""
    return strings(values).take(pa.array(index))


def numbers(values: np.ndarray, width: int = 0) -> pa.Array:
    """Integers as text, zero-padded to `width`."""
    text = pc.cast(pa.array(values), pa.string())
    return pc.utf8_lpad(text, width, "0") if width else text


def join_fields(columns: list[pa.Array], separator: str) -> pa.Array:
    return pc.binary_join_element_wise(*columns, separator, options=_JOIN)


def csv_field(column: pa.Array) -> pa.Array:
    """Quote a value only when it holds a comma, quote or line break (like csv.QUOTE_MINIMAL)."""
    needs_quotes = pc.match_substring_regex(column, '[",\r\n]')
    quoted = pc.binary_join_element_wise('"', pc.replace_substring(column, '"', '""'), '"', "")
    return pc.if_else(needs_quotes, quoted, column)


def _terminated_bytes(lines: pa.Array) -> memoryview:
    """The lines, each followed by '\\n', as one contiguous byte range of an Arrow buffer."""
    lines = pc.binary_join_element_wise(lines, "", "\n", options=_JOIN)
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32, count=len(lines) + 1, offset=lines.offset * 4)
    return memoryview(lines.buffers()[2])[offsets[0] : offsets[-1]] if len(lines) else memoryview(b"")


class LineFile:
    """A text file written in chunks of lines; `rows` counts lines after the header."""

    def __init__(self, path: pathlib.Path, header: str | None = None, encoding: str = "utf-8") -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.encoding = encoding
        self.rows = 0
        self._file = path.open("wb")
        if header is not None:
            self._file.write((header + "\n").encode(encoding))

    def write(self, lines: pa.Array) -> None:
        for start in range(0, len(lines), CHUNK_ROWS):
            data = _terminated_bytes(lines.slice(start, CHUNK_ROWS))
            if self.encoding != "utf-8":
                data = bytes(data).decode("utf-8").encode(self.encoding)
            self._file.write(data)
        self.rows += len(lines)

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> LineFile:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def write_csv(path: pathlib.Path, header: list[str], columns: list[pa.Array]) -> int:
    """A comma CSV with minimal quoting; returns the number of data rows."""
    with LineFile(path, ",".join(header)) as out:
        out.write(join_fields([csv_field(column) for column in columns], ","))
    return out.rows


def malformed_positions(rng: np.random.Generator, total_rows: int) -> np.ndarray:
    """Sorted row positions to damage: about one per 20,000 rows, at least one per file family."""
    if total_rows == 0:
        return np.array([], dtype=np.int64)
    count = min(total_rows, max(1, round(total_rows * MALFORMED_RATE)))
    return np.sort(rng.choice(total_rows, size=count, replace=False))


def positions_within(positions: np.ndarray, start: int, count: int) -> np.ndarray:
    """The family-wide `positions` that fall in rows start..start+count-1, made file-local."""
    return positions[(positions >= start) & (positions < start + count)] - start


def damage_lines(lines: pa.Array, positions: np.ndarray, rng: np.random.Generator, separator: str = "\t") -> pa.Array:
    """Give the lines at `positions` a wrong field count.

    Half are cut short (a record truncated in transfer), half gain a stray separator inside
    one value (a tab typed into a name field).
    """
    if len(positions) == 0:
        return lines
    broken = []
    for line in lines.take(pa.array(positions)).to_pylist():
        fields = line.split(separator)
        if rng.random() < 0.5:
            broken.append(separator.join(fields[: max(1, len(fields) // 2)]))
        else:
            at = int(rng.integers(0, len(fields)))
            value = fields[at]
            broken.append(separator.join(fields[:at] + [value[:1], value[1:]] + fields[at + 1 :]))
    mask = np.zeros(len(lines), dtype=bool)
    mask[positions] = True
    return pc.replace_with_mask(lines, pa.array(mask), pa.array(broken, pa.string()))
