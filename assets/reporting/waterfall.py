"""The suppression waterfall: each excluded row counted once, at the first rule (in a fixed,
documented order) that removes it, so candidates = sum of the waterfall + published rows.

The order (WATERFALL_ORDER, docs/report.md) answers "why not this person?" with the most
lasting reason first: what is true of the person whatever we do (forgotten, confidential,
registration removed, no valid number), then what the person told us (opt-outs, STOP replies,
wrong number), then the law for the list's purpose (do-not-call, voter-file use), then the
channel's rules (line type, consent, state rules, the prerecorded cap), and last one row per
phone (C05), which only picks among numbers every other rule let through. Rules of the policy's
rules table that the order does not name come after it, in the table's order; unknown ids last.
A row excluded with no rule id at all (which would be a bug: every exclusion carries one) is
counted as UNATTRIBUTED rather than dropped, so the sum still adds up and the gap is visible."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ..sql_text import ident

UNATTRIBUTED = "(no rule id)"

WATERFALL_ORDER = (
    # The person and the number, whatever the campaign does.
    "C08", "C01", "C02", "C03",
    # What the person told us.
    "R09", "R11", "C07", "R28",
    # The law for the list's purpose.
    "R20", "R26",
    # The channel: line type, consent, state rules, the prerecorded cap.
    "C04", "R03", "R04", "R05", "R08", "R06", "R07", "R16", "R24", "R22", "R23", "R13",
    # One row per phone: chosen among the numbers every other rule let through.
    "C05", "C06",
)


def rule_order(rules_table: Iterable[str] = ()) -> list[str]:
    """WATERFALL_ORDER, then the rules table's other ids in the table's order."""
    return list(WATERFALL_ORDER) + [rule for rule in rules_table if rule not in WATERFALL_ORDER]


def ordered(counts: Mapping[str, int], order: Iterable[str]) -> dict[str, int]:
    """`counts` in waterfall order (unknown rules after, by id), zero counts left out."""
    order = list(order)
    rank = {rule: index for index, rule in enumerate(order)}
    keys = sorted((rule for rule, count in counts.items() if count),
                  key=lambda rule: (rule == UNATTRIBUTED, rank.get(rule, len(order)), rule))
    return {rule: int(counts[rule]) for rule in keys}


def waterfall_counts(con, decisions_table: str, order: Iterable[str]) -> tuple[int, dict[str, int], int]:
    """(candidates, first-rule counts in order, included) from a decisions table with columns
    `included` and `rule_ids` (assets/lists.py). `decisions_table` is `schema.name`, each part an
    identifier the caller validated; one group-by in DuckDB, no row reaches Python."""
    order = list(order)
    schema, name = decisions_table.split(".", 1)
    table = f"{ident(schema)}.{ident(name)}"
    candidates, included, unattributed = con.execute(
        "select count(*), count(*) filter (where included), "
        "count(*) filter (where not included and len(coalesce(rule_ids, []::varchar[])) = 0) "
        f"from {table}").fetchone()
    # The sort key puts a rule's position in the order first (unknown rules after it), then its id.
    rows = con.execute(
        "with excluded as (select row_number() over () as row_id, rule_ids from "
        f"{table} where not included), "
        "rules as (select row_id, unnest(rule_ids) as rule_id from excluded), "
        "keyed as (select row_id, rule_id, lpad(coalesce(list_position($order, rule_id), 999999)::varchar, 6, '0') "
        "|| rule_id as sort_key from rules) "
        "select first_rule, count(*) from (select row_id, arg_min(rule_id, sort_key) as first_rule "
        "from keyed group by row_id) group by first_rule",
        {"order": order}).fetchall()
    counts = {rule: count for rule, count in rows}
    if unattributed:
        counts[UNATTRIBUTED] = unattributed
    return candidates, ordered(counts, order), included


def waterfall_table(candidates: int, steps: Mapping[str, int], published: int,
                    rule_texts: Mapping[str, str] | None = None) -> list[dict]:
    """Rows for a table or chart: candidates, one row per rule with what remains after it, published."""
    rule_texts = rule_texts or {}
    rows = [{"step": "candidates", "rule": "", "removed": 0, "remaining": candidates, "text": "segment members"}]
    remaining = candidates
    for rule, count in steps.items():
        remaining -= count
        rows.append({"step": rule, "rule": rule, "removed": count, "remaining": remaining,
                     "text": rule_texts.get(rule, "")})
    rows.append({"step": "published", "rule": "", "removed": 0, "remaining": published, "text": "rows in the list"})
    return rows
