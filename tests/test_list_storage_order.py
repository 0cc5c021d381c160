"""list_decisions and list_members keep each list's rows together (the models end with
stored_in_order_of): DuckDB then reads a list's rows without decoding every other list's
evidence, in each list's step, gate and publish (docs/performance.md)."""

from __future__ import annotations

import pytest

from assets.sql_text import ident
from tests.conftest import open_db

STORED_RUNS = """
select count(*) filter (where previous is distinct from list_name), count(distinct list_name)
from (select list_name, lag(list_name) over (order by rowid) as previous from main.{relation})
"""


@pytest.mark.parametrize("table", ["list_decisions", "list_members"])
def test_each_lists_rows_are_stored_together(pipeline_run, table):
    home, status, _, _ = pipeline_run
    assert status == 0
    con = open_db(home / "warehouse.duckdb")
    try:
        runs, lists = con.execute(STORED_RUNS.format(relation=ident(table))).fetchone()
    finally:
        con.close()
    assert lists == 16
    # One run of consecutive rows per list: no list's rows are spread among another's.
    assert runs == lists, f"{table}: {lists} lists stored in {runs} runs of rows"
