"""The report page: plain HTML with inline CSS and the charts as inline SVG. Every value put in
the page is escaped; the page holds counts, rule ids and texts, list names, never a person."""

from __future__ import annotations

from html import escape

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#222;max-width:1300px}
h1{font-size:22px;margin-bottom:4px} h2{font-size:18px;margin-top:36px;border-top:1px solid #ddd;padding-top:16px}
table{border-collapse:collapse;margin:8px 0;font-size:13px} td,th{border:1px solid #ddd;padding:3px 8px;text-align:left;white-space:nowrap} td:last-child{white-space:normal}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums} .ok{color:#1a7f37;font-weight:600}
.bad{color:#c62828;font-weight:600} .reason{background:#fdecea;border-left:4px solid #c62828;padding:8px 12px;margin:8px 0}
.muted{color:#666;font-size:13px} figure{margin:8px 0} h3{font-size:15px;margin:14px 0 4px}
"""


def _n(value) -> str:
    return "-" if value is None else f"{value:,}"


def _table(headers: list[str], rows: list[list], numeric: set[int] = frozenset()) -> str:
    head = "".join(f'<th class="n">{escape(h)}</th>' if i in numeric else f"<th>{escape(h)}</th>"
                   for i, h in enumerate(headers))
    body = "".join("<tr>" + "".join(
        f'<td class="n">{escape(_n(cell) if isinstance(cell, int) else str(cell))}</td>' if i in numeric
        else f"<td>{cell if isinstance(cell, Markup) else escape(str(cell))}</td>"
        for i, cell in enumerate(row)) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


class Markup(str):
    """HTML this module built itself (a status badge, a link): not escaped again."""


def _status(item: dict) -> Markup:
    return Markup('<span class="ok">PUBLISHED</span>' if item["published"] else '<span class="bad">BLOCKED</span>')


def summary_section(record: dict) -> str:
    rows = []
    for item in record["lists"]:
        served = item.get("served") or {}
        rows.append([Markup(f'<a href="#{escape(item["name"])}">{escape(item["name"])}</a>'), item["channel"],
                     _status(item), item.get("rows"), item.get("candidates"), served.get("version") or "-",
                     served.get("expires_at") or "-", "" if item["published"] else item["detail"]])
    return _table(["list", "channel", "status", "rows", "candidates", "version served", "expires at", "reason"],
                  rows, numeric={3, 4})


def list_section(item: dict, facts: dict | None, svg: str | None, gate: dict | None, rule_texts: dict,
                 gate_link: str | None) -> str:
    name = escape(item["name"])
    parts = [f'<h2 id="{name}">{name} <span class="muted">{escape(item["channel"])}</span> {_status(item)}</h2>']
    served = item.get("served") or {}
    if not item["published"]:
        still = (f"dialers are still served version {escape(served['version'])} (expires {escape(str(served.get('expires_at')))})"
                 if served.get("version") else "no earlier version is served")
        parts.append(f'<div class="reason"><b>Blocked:</b> {escape(item["detail"])}<br>{still}</div>')
    else:
        parts.append(f'<p class="muted">published {escape(item.get("detail", ""))}; '
                     f'expires {escape(str(served.get("expires_at") or "-"))}</p>')
    if facts is None:
        parts.append('<p class="muted">No rows were built for this list in this run.</p>')
    else:
        if svg:
            parts.append(f"<figure>{svg}</figure>")
        steps = [["candidates", "", "", facts["candidates"]]]
        remaining = facts["candidates"]
        for rule, count in facts["waterfall"].items():
            remaining -= count
            steps.append([rule, rule_texts.get(rule, ""), count, remaining])
        steps.append(["in the list" if not item["published"] else "published", "", "", facts["rows"]])
        parts.append("<h3>Suppression waterfall</h3>" + _table(["step", "rule", "removed", "remaining"], steps, {2, 3}))
        parts.append("<h3>Rows by time zone and calling window (local time)</h3>" + _table(
            ["time zone", "calling window", "rows"], [[z["zone"], z["window"], z["rows"]] for z in facts["zones"]], {2}))
        parts.append("<h3>Line types</h3>" + _table(
            ["line type", "rows"], [[t["line_type"], t["rows"]] for t in facts["line_types"]], {1}))
    parts.append(gate_section(gate, gate_link))
    return "\n".join(parts)


def gate_section(gate: dict | None, link: str | None) -> str:
    if gate is None:
        return '<h3>Gate</h3><p class="muted">The gate did not run for this list in this run.</p>'
    rows = [["configuration", _ok(not gate["configuration_problems"]), "; ".join(gate["configuration_problems"]) or "-", "", ""]]
    for expectation in (gate.get("validation") or {}).get("expectations", []):
        result = expectation["result"]
        rows.append([expectation["name"], _ok(expectation["success"]), expectation["type"],
                     result.get("unexpected_count", "-"), result.get("element_count", result.get("observed_value", "-"))])
    anchor = f' <a class="muted" href="{escape(link)}">validation result (JSON)</a>' if link else ""
    return (f"<h3>Gate: Great Expectations{anchor}</h3><p>{escape(gate['summary'])}</p>"
            + _table(["expectation", "result", "type / problem", "unexpected rows", "rows checked"], rows))


def _ok(success: bool) -> Markup:
    return Markup('<span class="ok">pass</span>' if success else '<span class="bad">FAIL</span>')


def page(record: dict, sections: list[str], order_note: str) -> str:
    published = sum(1 for item in record["lists"] if item["published"])
    blocked = len(record["lists"]) - published
    return (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Outreach run {escape(record['run_id'])}"
            f"</title><style>{_CSS}</style></head><body><h1>Outreach run report</h1>"
            f"<p class=\"muted\">run {escape(record['run_id'])} &middot; as-of {escape(record['as_of'])} &middot; finished "
            f"{escape(record['finished_at'])} &middot; {published} published, {blocked} blocked</p>"
            + summary_section(record) + f'<p class="muted">{escape(order_note)}</p>' + "\n".join(sections)
            + "</body></html>\n")
