"""Every SQL block of docs/analyst_guide.md runs against a real run's warehouse, and the
questions of "The first hour" each answer with rows: the guide cannot drift from the models."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assets.reporting.waterfall import WATERFALL_ORDER

from .conftest import open_db

GUIDE = Path(__file__).resolve().parent.parent / "docs" / "analyst_guide.md"


def sql_blocks() -> list[tuple[str, str]]:
    """(the heading above it, the SQL) for every ```sql block of the guide."""
    text = GUIDE.read_text()
    blocks = []
    for match in re.finditer(r"```sql\n(.*?)```", text, re.S):
        heading = re.findall(r"^## (.+)$", text[:match.start()], re.M)[-1]
        blocks.append((heading, match.group(1)))
    return blocks


FIRST_HOUR = [(heading, sql) for heading, sql in sql_blocks() if re.match(r"(6|7|8|9|10)\. ", heading)]


def test_the_guide_has_five_first_hour_questions():
    assert len(FIRST_HOUR) == 5


@pytest.mark.parametrize("heading,sql", sql_blocks(), ids=[h for h, _ in sql_blocks()])
def test_guide_sql_runs_on_a_real_warehouse(pipeline_run, heading, sql):
    home, *_ = pipeline_run
    con = open_db(home / "warehouse.duckdb")
    try:
        rows = con.execute(sql).fetchall()
    finally:
        con.close()
    if (heading, sql) in FIRST_HOUR:
        assert rows, heading


def test_waterfall_query_uses_the_reports_order():
    """Question 6 spells the order out; it must be the one the report and the manifests use."""
    sql = next(sql for heading, sql in FIRST_HOUR if heading.startswith("6."))
    listed = re.findall(r"'([CR]\d\d)'", sql.split("list_position(", 1)[1].split("]", 1)[0])
    assert tuple(listed) == WATERFALL_ORDER


def test_waterfall_query_matches_the_manifests(pipeline_run):
    import json

    home, *_ = pipeline_run
    sql = next(sql for heading, sql in FIRST_HOUR if heading.startswith("6."))
    con = open_db(home / "warehouse.duckdb")
    try:
        rows = con.execute(sql).fetchall()
    finally:
        con.close()
    for name in ("everyone_dialer", "everyone_texts"):
        list_dir = home / "published" / name
        manifest = json.loads((list_dir / (list_dir / "LATEST").read_text().strip() / "manifest.json").read_text())
        assert {rule: count for list_name, rule, count in rows if list_name == name} == manifest["waterfall"]
