"""HOME/reports/<run>/index.html: the run record, each list's counts from the warehouse, the
gates' kept results, and one chart per list; written whole (temporary name, then rename)."""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..warehouse import connect
from . import html
from .charts import list_figure_spec, render_svg
from .gate_results import read_gate_result
from .list_facts import list_facts
from .paths import gate_result_path, report_path, write_private
from .run_record import read_run_record
from .waterfall import rule_order

ORDER_NOTE = ("Waterfall: each excluded row is counted once, at the first rule that removes it, in the order "
              "of docs/report.md (the person, what they told us, the purpose's law, the channel's rules, one row "
              "per phone), so candidates = the rows removed at each step + the rows in the list. The manifest's "
              "`suppressed` counts every rule a row carries and can add up to more.")


def write_report(home: Path, run_id: str, warehouse: Path, rules_table: Mapping[str, Mapping]) -> Path:
    record = read_run_record(home, run_id)
    if record is None:
        raise FileNotFoundError(f"no run record for run {run_id} under {home}/reports")
    order = rule_order(rules_table)
    texts = {rule: (entry or {}).get("text", "") for rule, entry in rules_table.items()}
    facts = {}
    if Path(warehouse).exists():
        with connect(warehouse, read_only=True) as con:
            facts = {item["name"]: list_facts(con, item["name"], order) for item in record["lists"]}
    # vl-convert renders in its own threads (its V8 releases the GIL): two at a time for two cores.
    drawn = [item["name"] for item in record["lists"] if facts.get(item["name"]) is not None]
    with ThreadPoolExecutor(max_workers=2) as pool:
        svgs = dict(zip(drawn, pool.map(render_svg, [list_figure_spec(facts[name]) for name in drawn])))
    sections = []
    for item in record["lists"]:
        list_data = facts.get(item["name"])
        if list_data is not None:
            item.setdefault("candidates", list_data["candidates"])
            item["rows"] = item.get("rows") if item.get("rows") is not None else list_data["rows"]
        gate_file = gate_result_path(home, run_id, item["name"])
        svg = svgs.get(item["name"])
        sections.append(html.list_section(item, list_data, svg, read_gate_result(gate_file), texts,
                                          f"gates/{gate_file.name}" if gate_file.exists() else None))
    target = report_path(home, run_id)
    write_private(target, html.page(record, sections, ORDER_NOTE))
    return target
