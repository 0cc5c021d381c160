"""The engine-neutral layer between the DuckDB warehouse and a Spark dbt build (docs/scale-out.md).

Before dbt runs on Spark, everything the models read (schemas raw, ledger, ref and config of
the warehouse) is written as Parquet under HOME/spark/sources/<schema>/<table>/; the dbt
project's on-run-start hook (macro spark_source_tables) declares those folders as Spark
tables. Spark writes every model as Parquet under HOME/spark/models/<model>/; afterwards the
models are loaded into the warehouse's main schema, where the list assets, the gates and
publishing read them exactly as after a DuckDB build.

Privacy: the warehouse is encrypted at rest, these Parquet files are not. They live in
HOME (0700 folders, 0600 files) for the length of the build only: `remove` deletes them when
the models are loaded, whether the build succeeded or not.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from configuration.permissions import private_tree

from .sql_text import exact_path, ident, sql_string

SOURCE_SCHEMAS = ("raw", "ledger", "ref", "config")
# The dbt profile's spark target reads the folder from here (dbt_project/profiles.yml).
SPARK_DIR_ENV = "OUTREACH_SPARK_DIR"


def spark_folder(home: Path) -> Path:
    return Path(home) / "spark"


def sources_folder(home: Path) -> Path:
    return spark_folder(home) / "sources"


def models_folder(home: Path) -> Path:
    return spark_folder(home) / "models"


def export_sources(con: duckdb.DuckDBPyConnection, home: Path) -> set[str]:
    """Every table of the source schemas as one Parquet file; returns the names of TIME columns.

    TIME columns go out as 'HH:MM:SS' text (Spark has no TIME type); the models only pass them
    through, compare them with each other or format them, which text does alike. import_models
    turns them back into TIME.
    """
    target = sources_folder(home)
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True, mode=0o700)
    tables = con.execute(
        "select table_schema, table_name from information_schema.tables"
        " where table_catalog = current_database() and table_schema in ('raw', 'ledger', 'ref', 'config')"
        " and table_type = 'BASE TABLE' order by 1, 2").fetchall()
    time_columns = set()
    for schema, table in tables:
        columns = con.execute(
            "select column_name, data_type from information_schema.columns"
            " where table_catalog = current_database() and table_schema = ? and table_name = ? order by ordinal_position",
            [schema, table]).fetchall()
        select = ", ".join(
            f"cast({ident(name)} as varchar) as {ident(name)}" if kind == "TIME"
            else ident(name) for name, kind in columns)
        folder = target / schema / table
        folder.mkdir(parents=True, mode=0o700)
        with exact_path(folder / "part-0.parquet") as path:
            con.execute(f"copy (select {select} from {ident(schema)}.{ident(table)}) to {sql_string(path)} (format parquet)")
        time_columns |= {name for name, kind in columns if kind == "TIME"}
    private_tree(spark_folder(home))
    return time_columns


def written_models(home: Path) -> list[str]:
    """The models Spark wrote as Parquet (a table model is a folder of part files)."""
    folder = models_folder(home)
    return sorted(path.name for path in folder.iterdir() if path.is_dir()) if folder.is_dir() else []


def import_models(con: duckdb.DuckDBPyConnection, home: Path, models: list[str], time_columns: set[str]) -> list[str]:
    """Load the Parquet output of each model Spark wrote into main.<model>; returns what it loaded.

    Columns named like a source TIME column (export_sources) that Spark wrote as text are TIME again.

    A model dbt builds as a view on DuckDB is a view on Spark too and has no files: it is
    recreated in DuckDB as a table only when Spark wrote one.
    """
    loaded = []
    for model in models:
        folder = models_folder(home) / model
        if not folder.is_dir() or not any(folder.glob("*.parquet")):
            continue
        with exact_path(folder) as path:
            # A staging model is a view on DuckDB; any other leftover object of the name is replaced.
            if con.execute("select count(*) from information_schema.tables where table_catalog = current_database()"
                           " and table_schema = 'main' and table_name = ? and table_type = 'VIEW'", [model]).fetchone()[0]:
                con.execute(f"drop view main.{ident(model)}")
            con.execute(f"create or replace table main.{ident(model)} as select * from read_parquet("
                        f"{sql_string(str(Path(path) / '*.parquet'))})")
            text_columns = {row[0] for row in con.execute(
                "select column_name from information_schema.columns where table_catalog = current_database()"
                " and table_schema = 'main' and table_name = ? and data_type = 'VARCHAR'", [model]).fetchall()}
            for column in sorted(text_columns & time_columns):
                con.execute(f"alter table main.{ident(model)} alter {ident(column)} type time using cast({ident(column)} as time)")
        loaded.append(model)
    return loaded


def remove(home: Path) -> None:
    """The plain-text Parquet copies go as soon as the models are in the encrypted warehouse."""
    shutil.rmtree(spark_folder(home), ignore_errors=True)
