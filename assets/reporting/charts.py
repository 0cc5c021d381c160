"""The report's charts: Vega-Lite specs made with Altair, rendered to inline SVG by
vl-convert (no JavaScript, no network: the report opens offline and in any browser).
Each list gets one figure (waterfall, time zones, line types side by side): one render per list."""

from __future__ import annotations

from collections.abc import Mapping

import altair as alt
import pandas as pd

_BAR = "#4c78a8"
_REMOVED = "#e45756"


def _waterfall_chart(candidates: int, steps: Mapping[str, int], rows: int) -> alt.Chart:
    """Floating bars: each rule's bar spans what it removed, from what was left before it."""
    labels = ["candidates", *steps, "in the list"]
    starts, ends, remaining = [0], [candidates], candidates
    for count in steps.values():
        starts.append(remaining - count)
        ends.append(remaining)
        remaining -= count
    starts.append(0)
    ends.append(rows)
    frame = pd.DataFrame({
        "step": labels, "start": starts, "end": ends,
        "rows": [candidates, *steps.values(), rows],
        "kind": ["total", *(["removed"] * len(steps)), "total"],
    })
    return alt.Chart(frame, title="Suppression waterfall (first rule)").mark_bar().encode(
        y=alt.Y("step:N", sort=labels, title=None),
        x=alt.X("start:Q", title="rows"), x2="end:Q",
        color=alt.Color("kind:N", scale=alt.Scale(domain=["total", "removed"], range=[_BAR, _REMOVED]), legend=None),
        tooltip=["step", "rows"],
    ).properties(width=300, height=max(60, 18 * len(labels)))


def _count_chart(frame: pd.DataFrame, field: str, title: str) -> alt.Chart:
    return alt.Chart(frame, title=title).mark_bar(color=_BAR).encode(
        y=alt.Y(f"{field}:N", sort="-x", title=None), x=alt.X("rows:Q", title="rows"),
    ).properties(width=220, height=max(40, 18 * len(frame)))


def list_figure_spec(facts: dict) -> dict:
    """The Vega-Lite spec of one list's figure, from list_facts()."""
    zones = pd.DataFrame(facts["zones"] or [{"zone": "none", "window": "", "rows": 0}])
    zones = zones.groupby("zone", as_index=False)["rows"].sum()
    line_types = pd.DataFrame(facts["line_types"] or [{"line_type": "none", "rows": 0}])
    figure = alt.hconcat(
        _waterfall_chart(facts["candidates"], facts["waterfall"], facts["rows"]),
        _count_chart(zones, "zone", "Rows by time zone"),
        _count_chart(line_types, "line_type", "Line types"),
    ).configure_view(stroke=None)
    return figure.to_dict()


def render_svg(spec: dict) -> str:
    import vl_convert

    return vl_convert.vegalite_to_svg(spec)
