"""No SQL is built from outside text (issue 11, item 1).

Every f-string (or `+`/`%` concatenation) handed to `.execute`/`.sql`/`.query`, and every
f-string that reads or writes a file or database (`copy`, `attach`, `read_csv`, `read_parquet`,
`read_json`), may interpolate only:

- `sql_string(...)` or `ident(...)` (assets/sql_text.py, the one quoting helper),
- a module constant (an ALL_CAPS name),
- an expression on `REVIEWED` below, each checked by hand to carry no outside text (table and
  column names the code itself defines, placeholders, numbers).

A new interpolation fails here until it is quoted or reviewed. The rest of the module tests the
quoting at work: DuckDB's readers given a path with glob characters read that one file only.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import duckdb
import pytest

from assets.sql_text import exact_path, exact_paths, ident, sql_string

ROOT = Path(__file__).resolve().parent.parent
SKIP_DIRS = {".venv", "node_modules", "dbt_packages", "target", "__pycache__", ".git", "data"}
SQL_METHODS = {"execute", "executemany", "sql", "query"}
QUOTING_HELPERS = {"sql_string", "ident"}
# Text in an f-string that makes it SQL touching files or databases, wherever it is written.
FILE_SQL = re.compile(r"\bcopy\s*\(|\bcopy\s+[\w.{}]+\s+(to|from)\b|\battach\b\s|\bread_(csv|parquet|json)\w*\s*\(",
                      re.IGNORECASE)
CONSTANT = re.compile(r"^[A-Z][A-Z0-9_]*$")

# file -> interpolated expressions (as `ast.unparse` writes them) reviewed to hold no outside text.
REVIEWED: dict[str, set[str]] = {
    # Table names from SourceFamily.tables and LedgerTable, defined in code.
    "assets/sources_assets.py": {"table"},
    # Config table names and column types are the module's own constants (CONFIG_TABLES).
    "assets/run_config.py": {"table", "columns", "', '.join((f'{n}::{k}' for n, k in types.items()))"},
    # Members/decisions table names built by assets/lists.py from validated list names; the
    # column expressions are the export profile's own column names.
    "assets/publishing.py": {"table", "members_table", "decisions_table", "select", "options", "column",
                             "', '.join(columns)",
                             # the select above over the members table; one of two literals
                             "profile_source_select(con, members_table)", "in_order"},
    # `_table()` is `ident()` of a list name that configuration validated to [A-Za-z0-9_].
    # `select` is one of the module's two view texts, the list name in it through `sql_string()`.
    "assets/lists.py": {"_table(spec)", "_table(spec, '__gates')", "_table(spec, '__gate')", "_table(spec, '__decisions')",
                        "_table(spec, suffix)", "select", "gates_table"},
    # `_table()` is ALIAS + `ident()`; ledger column lists are built with `ident()`.
    # Conditions, key matches and partitions are built from the ledger's own column names with
    # `ident()` and `$` parameters (tables.py).
    "assets/ledger/store.py": {"_table(table.name)", "_table(name)", "columns", "column_type(column)",
                               "condition", "', '.join((ident(c) for c in data_columns))", "', '.join(selected)",
                               "key_match", "partition", "relation", "_table('erasures')"},
    # Raw table names come from the layouts; column lists are quoted names from the layouts; the
    # relation and the encoding name are this module's own ('utf-8'/'latin-1') with `?` for the path.
    # The line length expression and the over-long reason are this module's own (the limit an int).
    "assets/ingest/reading.py": {"table", "cols", "insert_columns", "select_fields", "parameter", "encoding",
                                 "length", "whole_lines_relation(encoding, '$path', _duckdb_line_size(path))",
                                 "over_long_sql(max_line_bytes)",
                                 # The streamed line relation and the tab-count expression are this
                                 # module's own text; the path is the `$path` parameter.
                                 "lines", "fields", "whole_lines_relation(encoding, path_parameter, max_line_size)",
                                 # The CSV reader's SQL half: its own comma count and line relation,
                                 # positional aliases f0.., `$c0..` parameters for the constants.
                                 "commas", "_lines_relation('$path', 'utf-8', _duckdb_line_size(path), False)",
                                 "outer_fields", "constant_values", "split_fields", "walked_fields"},
    "assets/phones/reference_tables.py": {"table"},
    # The audit's WHERE is built from fixed clauses with `?` parameters.
    "api/audit.py": {"', '.join(COLUMNS)", "where", "', '.join(('?' for _ in COLUMNS))"},
    # The SQL action is one of two literals chosen by the file's kind.
    # The SQL action is one of two literals chosen by the file's kind; the over-long reason is
    # built from the policy's integer limit (validated as an int).
    "assets/ingest/dnc.py": {"action", "over_long_sql(options.max_line_bytes)"},
    # `_table()` is ALIAS + `ident()`; column lists, matches and partitions are `ident()` of the
    # journal's own column names (records.py) and the ledger key.
    "assets/journal/absorb.py": {"_table(table)", "columns", "selected", "match", "partition"},
    # `source` is read_parquet of `sql_string()` of a version file path; the replaced columns are
    # the module's own expressions with `$` parameters.
    "assets/retention/published_scrub.py": {"source", "', '.join(replaced)"},
    # Temp table names are this module's literals; voter sources and tests are built from
    # `ident()` of model names and fixed clauses.
    "assets/retention/warehouse_scrub.py": {"name", "' union '.join(voter_sources)", "' or '.join(tests)"},
    # The report's tables: `ident()` of the schema and of a list name configuration validated.
    "assets/reporting/list_facts.py": {"rows_table"},
    "tests/fuzz/corruption.py": {"table", "column"},
    # The catalog alias is a constant of the caller (WAREHOUSE_ALIAS, the ledger's ALIAS, a probe
    # name); the mode is one of two literals. The path and the key go through sql_string().
    "assets/encryption.py": {"alias", "mode"},
    "tests/conftest.py": {"alias"},
    # Gate SQL fragments built from the module's own column and scope names.
    "expectations/facts.py": {"table", "text", "sources", "targets", "' union all '.join(parts)",
                              "digits_sql('phone')", "ten_digits_sql('d')", "scopes",
                              # GATE_FRAME over the list's own table (quoted by the caller);
                              # `source_sql` of the module's own column names.
                              "frame", "rows", "texts", "name", "scope_columns",
                              # kept tables' names: FACTS_SCHEMA and the module's literals
                              "events", "answers",
                              # one of two literals
                              "'temp ' if temporary else ''",
                              # survey_answer_phones: literals, chosen by whether raw.nc_voters
                              # has the columns
                              "voter_phone", "voter_join",
                              # the module's constant condition on a phone column
                              "_UNUSUAL_SPELLING"},
    # Column lists of the gate's sources through ident(); schema and table names too.
    "expectations/kept_facts.py": {"values", "table", "_parts_table(con, schema)"},
    # Temp table names and source relations are the gate's own constants; the phone and time
    # expressions are built from phonenumbers' metadata and this module's patterns, each
    # pattern through sql_string().
    # `column` is one of the module's two map columns (e164, instant).
    "expectations/sql_normalize.py": {"table", "column", "texts", "offset", "naive", "_plain_phone_sql('text')",
                                      "valid_nanp_sql(national)"},
    "tests/test_gate_sql_normalize.py": {"valid_nanp_sql('text')"},
    # `catalog.schema.table`, each part through ident(), names read from information_schema.
    "assets/build_state.py": {"relation"},
    # One of two literal filters, chosen by whether a column exists.
    "orchestration/cli.py": {"skipped_filter"},
    # Benchmark SQL from bench/ itself.
    "bench/phones_bench.py": {"sql"},
    # Tests build SQL from their own table and column names.
    "tests/test_ingest_fail_closed.py": {"spec.table", "sql"},
    "tests/test_unicode_normalization.py": {"column", "sql"},
    "tests/test_ledger.py": {"name", "table"},
    "tests/test_dbt_docs.py": {"', '.join(('?' for _ in SCHEMAS))"},
    "tests/test_export_profiles.py": {"extra"},
    "tests/test_sql_safety.py": {"quoted", "index", "included", "rules"},
    # The injection is the test's HOME name (never SQL); the scan reads sqlite's own table names.
    "tests/test_security_run.py": {"base", "table"},
    "tests/test_native_exports.py": {"SPECS[load.source].table"},
    "tests/test_phone_differential.py": {"column", "sql"},
    "tests/test_gate_independence.py": {"schema", "name", "column_list", "', '.join(row)",
                                        "', '.join(('?' for _ in row))", "table",
                                        "'view' if kind[0] == 'VIEW' else 'table'"},
    "tests/test_phone_reference.py": {"table"},
    # Column lists are `ident()` of the warehouse's own column names (information_schema).
    "assets/spark_layer.py": {"select"},
    # Table names from the test's own literal tuple; the macro SQL is dbt's rendering, as above.
    "tests/test_phone_differential_spark.py": {"table", "column", "sql", "prefixes", "exceptions"},
}


def python_files() -> list[Path]:
    return sorted(path for path in ROOT.rglob("*.py")
                  if not SKIP_DIRS & set(path.relative_to(ROOT).parts[:-1]))


def _allowed(expression: ast.expr, reviewed: set[str]) -> bool:
    if isinstance(expression, ast.Call):
        func = expression.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
        if name in QUOTING_HELPERS:
            return True
    if isinstance(expression, ast.Name) and CONSTANT.match(expression.id):
        return True
    if isinstance(expression, ast.Attribute) and CONSTANT.match(expression.attr):
        return True
    return ast.unparse(expression) in reviewed


def _pieces(node: ast.expr) -> list[ast.expr]:
    """The interpolated expressions of an f-string or of a `+`/`%` concatenation."""
    if isinstance(node, ast.JoinedStr):
        return [part.value for part in node.values if isinstance(part, ast.FormattedValue)]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _operand(node.left) + _operand(node.right)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        values = list(node.right.elts) if isinstance(node.right, ast.Tuple) else [node.right]
        return _operand(node.left) + [value for value in values if not isinstance(value, ast.Constant)]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return [*node.args, *(keyword.value for keyword in node.keywords)]
    return []


def _operand(node: ast.expr) -> list[ast.expr]:
    if isinstance(node, ast.Constant):
        return []
    return _pieces(node) if _is_sql_text(node) else [node]


def _is_sql_text(node: ast.expr) -> bool:
    return isinstance(node, (ast.JoinedStr, ast.BinOp)) or (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format")


def _literal_text(node: ast.JoinedStr) -> str:
    return "{}".join(part.value for part in node.values if isinstance(part, ast.Constant) and isinstance(part.value, str))


def string_built_sql(source: str, relative: str) -> list[str]:
    """`file:line: expression` for every interpolation into SQL that is neither quoted nor reviewed."""
    reviewed = REVIEWED.get(relative, set())
    tree = ast.parse(source)
    suspects: list[ast.expr] = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in SQL_METHODS
                and node.args and _is_sql_text(node.args[0])):
            suspects.append(node.args[0])
        elif isinstance(node, ast.JoinedStr) and FILE_SQL.search(_literal_text(node)):
            suspects.append(node)
    found = set()
    for suspect in suspects:
        for piece in _pieces(suspect):
            if not _allowed(piece, reviewed):
                found.add(f"{relative}:{piece.lineno}: {{{ast.unparse(piece)}}}")
    return sorted(found)


def test_no_sql_is_built_from_outside_text():
    problems = []
    for path in python_files():
        relative = path.relative_to(ROOT).as_posix()
        problems += string_built_sql(path.read_text(), relative)
    assert problems == [], "interpolated into SQL without sql_string()/ident() or review:\n" + "\n".join(problems)


PLANTED = '''
def publish(con, path, name, home):
    con.execute(f"copy (select 1) to '{path}' (header)")
    con.execute("attach '" + str(home) + "' as x")
    con.sql("select * from t where name = '%s'" % name)
    relation = f"read_csv('{path}')"
    con.execute(f"copy (select 1) to {sql_string(str(path))}")
    con.execute(f"select * from {TABLE_NAME} where x = ?", [name])
'''


def test_the_check_sees_string_built_sql():
    found = string_built_sql(PLANTED, "planted.py")
    assert found == ["planted.py:3: {path}", "planted.py:4: {str(home)}", "planted.py:5: {name}",
                     "planted.py:6: {path}"]


def test_every_reviewed_expression_still_exists():
    """A stale review entry would silently allow a new use of that expression elsewhere in the file."""
    stale = []
    for relative, expressions in REVIEWED.items():
        source = (ROOT / relative).read_text()
        tree = ast.parse(source)
        seen = {ast.unparse(node) for node in ast.walk(tree) if isinstance(node, ast.expr)}
        stale += [f"{relative}: {expression}" for expression in sorted(expressions - seen)]
    assert stale == []


# --- the quoting at work ---------------------------------------------------------------------


def test_sql_string_quotes_what_would_break_out():
    con = duckdb.connect()
    hostile = "h'; copy (select 42) to 'pwned.csv'; --"
    assert con.execute(f"select {sql_string(hostile)}").fetchone()[0] == hostile
    quoted = ident('a"b')
    assert con.execute(f"select 1 as {quoted}").description[0][0] == 'a"b'
    with pytest.raises(ValueError):
        sql_string("a\x00b")


@pytest.mark.parametrize("folder", ["campaign[1]", "camp*", "what?", "a{1,2}"])
def test_readers_given_a_glob_character_read_that_one_file(tmp_path, folder):
    """read_parquet expands `campaign[1]` to `campaign1`: another home's file. Through exact_path it does not."""
    con = duckdb.connect()
    own, neighbour = tmp_path / folder, tmp_path / "campaign1"
    for index, directory in enumerate((own, neighbour, tmp_path / "camp2", tmp_path / "whatX", tmp_path / "a1")):
        directory.mkdir(exist_ok=True)
        if not (directory / "f.parquet").exists():
            con.execute(f"copy (select {index} as x) to {sql_string(str(directory / 'f.parquet'))} (format parquet)")
    with exact_path(own / "f.parquet") as readable:
        assert con.execute("select * from read_parquet(?)", [readable]).fetchall() == [(0,)]
    with exact_paths([own / "f.parquet", neighbour / "f.parquet"]) as readable:
        rows = con.execute("select x from read_parquet($p) order by x", {"p": readable}).fetchall()
    assert rows == [(0,), (1,)]


def _published_decision(home: Path, included: bool) -> None:
    version = home / "published" / "l" / "20261128T170000Z-001"
    version.mkdir(parents=True)
    (home / "published" / "l" / "LATEST").write_text(version.name + "\n")
    (version / "manifest.json").write_text(
        '{"list": "l", "channel": "manual_call", "version": "%s", "segment": "everyone", "caller_entity": "X", '
        '"rules": {"R09": {"text": "opted out"}}}' % version.name)
    rules = "[]::varchar[]" if included else "['R09']"
    duckdb.execute(f"copy (select '+19195550142' as phone_e164, {included} as included, {rules} as rule_ids) "
                   f"to {sql_string(str(version / 'decisions.parquet'))} (format parquet)")


def test_explain_on_a_home_named_with_brackets_reads_its_own_decisions(tmp_path):
    """`campaign[1]` must not read `campaign1`'s published decisions (read_parquet globs)."""
    from orchestration.explain import explain_phone

    _published_decision(tmp_path / "campaign[1]", included=False)
    _published_decision(tmp_path / "campaign1", included=True)
    lines = explain_phone("(919) 555-0142", tmp_path / "campaign[1]")
    assert lines[0].startswith("excluded from l") and "R09" in lines[0], lines
