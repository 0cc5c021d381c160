"""Reading inbox files into DuckDB: every value as text, with the file and line it came from.

Two readers cover every source: `load_tab_file` splits physical lines on tabs (state voter
and history files, which have no quoting convention), `load_csv_file` runs DuckDB's CSV
parser (quoted comma files). Both record what they read in `raw.ingest_files` and send
every line they cannot use to `raw.quarantine` with the reason, so counts reconcile.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import duckdb

# Four control characters that never occur in these sources: DuckDB then hands us each
# physical line whole, and we split it ourselves.
_WHOLE_LINE_DELIMITER = "\x1c\x1d\x1e\x1f"


class LayoutError(ValueError):
    """A file whose layout is not the one expected; the message names the file and what was expected."""


@dataclass(frozen=True)
class FileLoad:
    source: str
    file: str
    encoding: str
    layout: str
    rows_read: int
    rows_loaded: int
    rows_quarantined: int


def ensure_bookkeeping_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists raw")
    con.execute(
        """create table if not exists raw.quarantine (
            source varchar, _file varchar, _line bigint, reason varchar, raw_line varchar)"""
    )
    con.execute(
        """create table if not exists raw.ingest_files (
            source varchar, _file varchar, encoding varchar, layout varchar,
            rows_read bigint, rows_loaded bigint, rows_quarantined bigint)"""
    )


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
        "insert into raw.ingest_files values (?, ?, ?, ?, ?, ?, ?)",
        [load.source, load.file, load.encoding, load.layout, load.rows_read, load.rows_loaded, load.rows_quarantined],
    )
    return load


def detect_encoding(con: duckdb.DuckDBPyConnection, path: Path) -> str:
    """UTF-8 when the whole file decodes as UTF-8, else Latin-1 (which decodes any byte)."""
    try:
        con.execute(f"select count(*) from {whole_lines_relation('utf-8')}", [str(path)]).fetchone()
        return "utf-8"
    except duckdb.InvalidInputException as error:
        if "unicode" in str(error).lower() or "utf-8" in str(error).lower():
            return "latin-1"
        raise


def first_line(path: Path, encoding: str) -> str:
    with path.open("r", encoding=encoding, newline="") as handle:
        return handle.readline().rstrip("\r\n")


def csv_header(path: Path, encoding: str) -> list[str]:
    return next(csv.reader([first_line(path, encoding)]), [])


def whole_lines_relation(encoding: str) -> str:
    """A relation of the file (one `?` parameter) as (ordinality, raw): each physical line whole."""
    return (
        "read_csv(?, columns={'raw': 'VARCHAR'}, delim='" + _WHOLE_LINE_DELIMITER + "', quote='', escape='', "
        f"header=false, auto_detect=false, strict_mode=false, encoding='{encoding}') with ordinality"
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
    unmapped fields are dropped). A line with another number of fields is quarantined.
    """
    column_map = column_map or {name: name for name in field_names}
    expected = len(field_names)
    con.execute(
        "create or replace temp table _lines as "
        f"select ordinality as _line, raw from {whole_lines_relation(encoding)}",
        [str(path)],
    )
    con.execute(
        "create or replace temp table _split as "
        "select _line, raw, string_split(raw, chr(9)) as parts from _lines "
        "where _line > ? and raw is not null and raw <> ''",
        [1 if has_header else 0],
    )
    targets = [(column_map[name], index + 1) for index, name in enumerate(field_names) if name in column_map]
    insert_columns = ", ".join(f'"{column}"' for column, _ in targets)
    select_fields = ", ".join(f"parts[{index}]" for _, index in targets)
    con.execute(
        f"insert into raw.{table} ({insert_columns}, _file, _line) "
        f"select {select_fields}, ?, _line from _split where len(parts) = ? order by _line",
        [rel_path, expected],
    )
    con.execute(
        "insert into raw.quarantine select ?, ?, _line, "
        "'expected ' || ? || ' tab-separated fields, found ' || len(parts), raw "
        "from _split where len(parts) <> ? order by _line",
        [source, rel_path, expected, expected],
    )
    read, loaded = con.execute("select count(*), count(*) filter (where len(parts) = ?) from _split", [expected]).fetchone()
    con.execute("drop table _lines; drop table _split")
    return record_file(con, FileLoad(source, rel_path, encoding, layout, read, loaded, read - loaded))


def load_csv_file(
    con: duckdb.DuckDBPyConnection,
    *,
    source: str,
    table: str,
    path: Path,
    rel_path: str,
    encoding: str,
    layout: str,
    header: list[str],
    column_map: dict[str, str],
) -> FileLoad:
    """Load a quoted comma CSV with a header through DuckDB's parser.

    `header` is the file's header as read; repeated names (ActBlue's `Reserved`) are
    made unique here. `column_map` maps a header name to its raw table column; other
    columns are dropped. Records the parser rejects go to quarantine with its reason.
    """
    unique_names = _unique_names(header)
    columns_spec = "{" + ", ".join(f"'{_sql_str(name)}': 'VARCHAR'" for name in unique_names) + "}"
    con.execute("drop table if exists _rejects_scan; drop table if exists _rejects_errors")
    con.execute(
        "create or replace temp table _records as select ordinality as _record, * from "
        f"read_csv(?, columns={columns_spec}, header=true, delim=',', quote='\"', escape='\"', "
        f"auto_detect=false, encoding='{encoding}', store_rejects=true, "
        "rejects_scan='_rejects_scan', rejects_table='_rejects_errors') with ordinality",
        [str(path)],
    )
    rejected_lines = [
        row[0]
        for row in con.execute(
            "select distinct line from _rejects_errors order by line"
        ).fetchall()
    ]
    con.execute(
        "create or replace temp table _rejected as "
        "select line, string_agg(distinct error_type::varchar || ': ' || coalesce(error_message, ''), '; ') as reason, "
        "any_value(csv_line) as raw_line from _rejects_errors group by line"
    )
    accepted = con.execute("select count(*) from _records").fetchone()[0]
    # Accepted records take, in order, the line numbers the rejected ones did not.
    con.execute(
        "create or replace temp table _record_lines as "
        "select line, row_number() over (order by line) as _record from range(2, ?) t(line) "
        "where line not in (select line from _rejected)",
        [accepted + len(rejected_lines) + 2],
    )
    targets = [(column_map[name], unique) for name, unique in zip(header, unique_names) if name in column_map]
    insert_columns = ", ".join(f'"{column}"' for column, _ in targets)
    select_fields = ", ".join(f'r."{_sql_ident(unique)}"' for _, unique in targets)
    con.execute(
        f"insert into raw.{table} ({insert_columns}, _file, _line) "
        f"select {select_fields}, ?, l.line from _records r join _record_lines l using (_record) order by l.line",
        [rel_path],
    )
    con.execute(
        "insert into raw.quarantine select ?, ?, line, 'unparseable CSV record: ' || reason, raw_line "
        "from _rejected order by line",
        [source, rel_path],
    )
    con.execute("drop table _records; drop table _record_lines; drop table _rejected")
    return record_file(
        con,
        FileLoad(source, rel_path, encoding, layout, accepted + len(rejected_lines), accepted, len(rejected_lines)),
    )


def _unique_names(header: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    names = []
    for name in header:
        count = seen.get(name, 0)
        seen[name] = count + 1
        names.append(name if count == 0 else f"{name}_{count}")
    return names


def _sql_str(text: str) -> str:
    return text.replace("'", "''")


def _sql_ident(text: str) -> str:
    return text.replace('"', '""')
