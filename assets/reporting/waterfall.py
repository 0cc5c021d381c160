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


def decision_groups(con, decisions_table: str) -> list[tuple[bool | None, list[str], int]]:
    """(included, rule ids, rows) for each distinct pair of a decisions table with columns
    `included` and `rule_ids` (assets/lists.py): one grouped scan in DuckDB, whose few hundred
    groups every count below is drawn from; no row reaches Python. `decisions_table` is
    `schema.name`, each part an identifier the caller validated."""
    schema, name = decisions_table.split(".", 1)
    rows = con.execute(f"select included, rule_ids, count(*) from {ident(schema)}.{ident(name)} group by all").fetchall()
    return [(included, [rule for rule in (rule_ids or []) if rule is not None], int(count))
            for included, rule_ids, count in rows]


def candidates_and_suppressed(groups: Iterable[tuple[bool | None, list[str], int]]) -> tuple[int, dict[str, int]]:
    """(candidates, excluded rows per rule id in id order): a row excluded by two rules counts
    under both."""
    candidates, suppressed = 0, {}
    for included, rule_ids, rows in groups:
        candidates += rows
        if included is False:
            for rule in rule_ids:
                suppressed[rule] = suppressed.get(rule, 0) + rows
    return candidates, dict(sorted(suppressed.items()))


def waterfall_from_groups(groups: Iterable[tuple[bool | None, list[str], int]],
                          order: Iterable[str]) -> tuple[int, dict[str, int], int]:
    """(candidates, first-rule counts in order, included): each excluded row once, at the rule
    of its list that comes first in `order` (unknown rules after it, by id)."""
    order = list(order)
    position = {}
    for index, rule in enumerate(order):
        position.setdefault(rule, index)
    candidates = included = unattributed = 0
    counts: dict[str, int] = {}
    for is_included, rule_ids, rows in groups:
        candidates += rows
        if is_included is True:
            included += rows
        elif is_included is False and not rule_ids:
            unattributed += rows
        elif is_included is False:
            first = min(rule_ids, key=lambda rule: (position.get(rule, len(order)), rule))
            counts[first] = counts.get(first, 0) + rows
    if unattributed:
        counts[UNATTRIBUTED] = unattributed
    return candidates, ordered(counts, order), included


def waterfall_counts(con, decisions_table: str, order: Iterable[str]) -> tuple[int, dict[str, int], int]:
    """waterfall_from_groups over decision_groups of `decisions_table`."""
    return waterfall_from_groups(decision_groups(con, decisions_table), order)


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
