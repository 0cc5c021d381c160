"""The phone normalizer on Spark (macros/portable/phones_spark.sql) against phonenumbers itself.

The same checks as tests/test_phone_differential.py, on the SQL dbt renders for the `spark`
target, run in one local Spark session for the module: generated spellings (fewer than on
DuckDB, Spark local mode is slower per row), the CONTRACT spellings, the documented
differences and the area-code macro.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from assets.phones import build_reference_tables

from assets.sql_text import sql_string

from .conftest import open_db
from .test_phone_differential import (
    DBT_PROJECT,
    MACRO_QUERY,
    SpellingGenerator,
    assert_agreement,
    expected_e164,
)

pyspark = pytest.importorskip("pyspark", reason="the spark extra is not installed (pip install -e '.[spark]')")

SPARK_CASES = 20_000


def compile_for_spark(query: str, work: Path) -> str:
    dbt = Path(sys.executable).with_name("dbt")
    env = {**os.environ, "OUTREACH_SPARK_DIR": str(work / "spark"), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    result = subprocess.run(
        [str(dbt), "compile", "--quiet", "--no-use-colors", "--no-populate-cache", "--target", "spark",
         "--project-dir", str(DBT_PROJECT), "--profiles-dir", str(DBT_PROJECT),
         "--target-path", str(work / "target"), "--log-path", str(work / "logs"), "--inline", query],
        env=env, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, f"dbt compile failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    sql = result.stdout.strip()
    assert sql.startswith("select id"), sql[:2000]
    return sql


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    """ref.phone_prefixes and ref.phone_number_exceptions as Parquet, built as a run builds them."""
    folder = tmp_path_factory.mktemp("spark_phones")
    warehouse = folder / "warehouse.duckdb"
    with open_db(warehouse, read_only=False) as con:
        build_reference_tables(con)
        for table in ("phone_prefixes", "phone_number_exceptions"):
            con.execute(f"copy ref.{table} to {sql_string(str(folder / table) + '.parquet')} (format parquet)")
    return folder


@pytest.fixture(scope="module")
def spark(reference):
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[2]").appName("outreach-phone-test")
               .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
               .config("spark.sql.session.timeZone", "UTC").config("spark.sql.ansi.enabled", "false")
               .config("spark.sql.catalogImplementation", "in-memory").config("spark.log.level", "ERROR")
               .config("spark.sql.warehouse.dir", str(reference / "spark-warehouse"))
               .getOrCreate())
    session.sql("create database if not exists ref")
    for table in ("phone_prefixes", "phone_number_exceptions"):
        session.sql(f"create table ref.{table} using parquet location {sql_string(str(reference / table) + '.parquet')}")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def macro_sql(tmp_path_factory) -> str:
    return compile_for_spark(MACRO_QUERY, tmp_path_factory.mktemp("dbt_spark"))


def run_macro(spark, sql: str, spellings: list[str | None], column: str = "e164") -> list[str | None]:
    from pyspark.sql.types import LongType, StringType, StructField, StructType

    schema = StructType([StructField("id", LongType()), StructField("s", StringType())])
    spark.createDataFrame(list(enumerate(spellings)), schema).createOrReplaceTempView("spellings")
    rows = spark.sql(f"select id, {column} from ({sql}) order by id").collect()
    assert [row[0] for row in rows] == list(range(len(spellings)))
    return [row[1] for row in rows]


def test_spark_macro_agrees_with_phonenumbers_on_generated_spellings(spark, macro_sql, reference):
    import duckdb

    prefixes, exceptions = (sql_string(str(reference / name) + ".parquet") for name in ("phone_prefixes", "phone_number_exceptions"))
    valid = [row[0] for row in duckdb.sql(f"select prefix from read_parquet({prefixes})").fetchall()]
    partial = [row[0] for row in duckdb.sql(
        f"select distinct national_number // 10000 from read_parquet({exceptions})").fetchall()]
    spellings = SpellingGenerator(seed=20261203, valid_prefixes=valid, partial_prefixes=partial).spellings(SPARK_CASES)
    actual = run_macro(spark, macro_sql, spellings)
    assert 0.2 * len(spellings) < sum(value is not None for value in actual) < 0.8 * len(spellings)
    assert_agreement(spellings, actual)


CONTRACT_SPELLINGS = [
    ("(919) 828-0142", "+19198280142"), ("919.828.0142", "+19198280142"), ("+1 919-828-0142", "+19198280142"),
    ("19198280142", "+19198280142"), ("011 1 919 828 0142", "+19198280142"), ("  919-828-0142\t", "+19198280142"),
    ("919-828-0142 x123", "+19198280142"), ("919-828-0142 ext. 12", "+19198280142"), ("919-828-0142 #45", "+19198280142"),
    ("919-828-0142 \u0434\u043e\u0431 5", "+19198280142"), ("\uff0b1 919 828 0142", "+19198280142"),
    ("8280142", None), ("29198280142", None), ("119198280142", "+19198280142"), ("(119) 828-0142", None),
    ("", None), (None, None), ("+44 20 7946 0958", None), ("310-1234", None),
    ("+1 246 521 0123", "+12465210123"), ("+1 246 521 2123", None), ("1-800-FLOWERS", "+18003569377"),
    ("919-828-0142\n", "+19198280142"), ("919-828-0142 / x 12", "+19198280142"),
]


def test_spark_spellings_from_the_contract(spark, macro_sql):
    texts = [text for text, _ in CONTRACT_SPELLINGS]
    assert run_macro(spark, macro_sql, texts) == [e164 for _, e164 in CONTRACT_SPELLINGS]
    for text, e164 in CONTRACT_SPELLINGS:
        if text != "310-1234":
            assert expected_e164(text) == e164, text


def test_spark_documented_differences_and_area_code(spark, macro_sql):
    texts = ["\uff19\uff11\uff19\uff18\uff12\uff18\uff10\uff11\uff14\uff12", "\u0669\u0661\u0669 828 0142",
             "tel:919-828-0142;phone-context=+1", "310-1234", "+1 310 1234"]
    assert run_macro(spark, macro_sql, texts) == [None] * len(texts)
    assert run_macro(spark, macro_sql, ["919-828-0142", "+1 (850) 201-0000", "nope", None], column="area_code") == [
        "919", "850", None, None]
