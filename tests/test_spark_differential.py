"""The same inbox through DuckDB and through Spark (local mode) gives the same lists (issue 14).

conftest's `pipeline_run` is the DuckDB run; this module makes one `--engine spark` run of the
same inbox, as-of and settings, then compares what a dialer and an auditor see: every list's
published decisions.parquet and contacts.csv (rows sorted), the outcome lines, the segment
sizes, and every model Spark built, row for row.
"""

from __future__ import annotations

import io
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from assets.sql_text import ident, sql_string

from .conftest import AS_OF, open_db

pytest.importorskip("pyspark", reason="the spark extra is not installed (pip install -e '.[spark]')")


@pytest.fixture(scope="module")
def spark_run(small_inbox, tmp_path_factory):
    from configuration.settings import RunSettings
    from orchestration.runner import run_pipeline

    home = tmp_path_factory.mktemp("home_spark")
    out = io.StringIO()
    status, outcomes = run_pipeline(RunSettings.build(small_inbox, home, AS_OF, engine="spark"), out=out)
    return home, status, outcomes, out.getvalue()


def _latest(home: Path, name: str) -> Path:
    folder = home / "published" / name
    return folder / (folder / "LATEST").read_text().strip()


def _text(value) -> str:
    """One engine-neutral spelling of a value: Spark's Parquet comes back with other types
    (int for bigint, naive or UTC timestamps, arrays as numpy) holding the same values."""
    if isinstance(value, (list, tuple, np.ndarray)):
        return "[" + ", ".join(_text(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {_text(item)}" for key, item in value.items()) + "}"
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "NULL"
    if isinstance(value, (pd.Timestamp, datetime)):
        stamp = pd.Timestamp(value)
        return (stamp.tz_convert("UTC") if stamp.tzinfo else stamp.tz_localize("UTC")).isoformat()
    if isinstance(value, (float, np.floating, Decimal)):
        return repr(round(float(value), 9))
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    return str(value)


def _sorted_frame(frame: pd.DataFrame) -> pd.DataFrame:
    text = pd.DataFrame({column: [_text(value) for value in frame[column].astype(object)] for column in frame.columns})
    return text.sort_values(list(text.columns)).reset_index(drop=True)


def test_spark_run_publishes_what_the_duckdb_run_publishes(pipeline_run, spark_run):
    duck_home, duck_status, duck_outcomes, _ = pipeline_run
    spark_home, spark_status, spark_outcomes, printed = spark_run
    assert spark_status == duck_status, [o.detail for o in spark_outcomes if not o.published][:3] or printed[-3000:]
    assert [(o.name, o.rows, o.published) for o in spark_outcomes] == [
        (o.name, o.rows, o.published) for o in duck_outcomes]
    published = [o.name for o in duck_outcomes if o.published]
    assert published, "the DuckDB run published nothing to compare"
    for name in published:
        duck, spark = _latest(duck_home, name), _latest(spark_home, name)
        assert duck.name == spark.name
        # decisions.parquet: every decision, rule ids and evidence included.
        duck_decisions = _sorted_frame(duckdb.sql(f"select * from read_parquet({sql_string(str(duck / 'decisions.parquet'))})").df())
        spark_decisions = _sorted_frame(duckdb.sql(f"select * from read_parquet({sql_string(str(spark / 'decisions.parquet'))})").df())
        pd.testing.assert_frame_equal(duck_decisions, spark_decisions, obj=f"{name}/decisions.parquet")
        # contacts.csv: the header, then the same lines in any order.
        duck_lines = (duck / "contacts.csv").read_text().splitlines()
        spark_lines = (spark / "contacts.csv").read_text().splitlines()
        assert duck_lines[:1] == spark_lines[:1]
        assert sorted(duck_lines[1:]) == sorted(spark_lines[1:]), f"{name}/contacts.csv differs"


def test_segment_sizes_and_spark_models_match(pipeline_run, spark_run):
    duck_home, spark_home = pipeline_run[0], spark_run[0]
    sizes = "select segment, count(*) from main.segment_members group by segment order by segment"
    with open_db(duck_home / "warehouse.duckdb") as con:
        duck_sizes = con.execute(sizes).fetchall()
        models = [row[0] for row in con.execute(
            "select table_name from information_schema.tables where table_schema = 'main'"
            " and table_type = 'BASE TABLE' order by 1").fetchall()]
        duck_tables = {model: _sorted_frame(con.execute(f"select * from main.{ident(model)}").df()) for model in models}
    with open_db(spark_home / "warehouse.duckdb") as con:
        assert con.execute(sizes).fetchall() == duck_sizes
        spark_tables = {model: _sorted_frame(con.execute(f"select * from main.{ident(model)}").df()) for model in models}
    assert len(duck_sizes) >= 10
    for model in models:
        pd.testing.assert_frame_equal(duck_tables[model], spark_tables[model], obj=model)


def test_spark_leaves_no_plain_parquet_in_home(spark_run):
    home = spark_run[0]
    assert not (home / "spark").exists()
    # Parquet files a DuckDB run writes too: published lists, the ledger snapshot, the phone reference cache.
    own = {"published", "ledger", "cache"}
    assert not [path for path in home.rglob("*.parquet") if not own & set(path.relative_to(home).parts)]
