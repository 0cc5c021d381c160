"""Counts per list for the report, read from the run's warehouse relations `lists.<name>` (the
rows) and `lists.<name>__decisions` (every candidate: a view of the list's rows of
main.list_decisions). Group-bys in DuckDB; only counts leave."""

from __future__ import annotations

from collections.abc import Iterable

from ..sql_text import ident
from .waterfall import waterfall_counts


def _exists(con, table: str) -> bool:
    return bool(con.execute("select count(*) from information_schema.tables where table_schema = 'lists' "
                            "and table_name = ?", [table]).fetchone()[0])


def list_facts(con, list_name: str, order: Iterable[str]) -> dict | None:
    """Waterfall, rows by zone and calling window, line-type mix; None when the run built no rows."""
    if not (_exists(con, list_name) and _exists(con, f"{list_name}__decisions")):
        return None
    candidates, waterfall, included = waterfall_counts(con, f"lists.{list_name}__decisions", order)
    rows_table = f"lists.{ident(list_name)}"
    rows = con.execute(f"select count(*) from {rows_table}").fetchone()[0]
    zones = con.execute(
        "select coalesce(timezone, 'unknown') as zone, coalesce(window_start_local, '?') || '-' || "
        "coalesce(window_end_local, '?') as calling_window, count(*) "
        f"from {rows_table} group by all order by 3 desc, 1, 2").fetchall()
    line_types = con.execute(
        f"select coalesce(line_type, 'unknown'), count(*) from {rows_table} group by all order by 2 desc, 1").fetchall()
    return {
        "candidates": candidates,
        "waterfall": waterfall,
        "included": included,
        "rows": rows,
        "zones": [{"zone": z, "window": w, "rows": n} for z, w, n in zones],
        "line_types": [{"line_type": t, "rows": n} for t, n in line_types],
    }
