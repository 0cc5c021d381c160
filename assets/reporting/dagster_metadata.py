"""The waterfall as a Dagster table metadata value, which the UI shows as a table."""

from __future__ import annotations

from collections.abc import Mapping

import dagster as dg

from .waterfall import waterfall_table

_SCHEMA = dg.TableSchema(columns=[
    dg.TableColumn("step", "string", description="candidates, a rule id, or published"),
    dg.TableColumn("removed", "int", description="rows removed at this step (first rule that excludes them)"),
    dg.TableColumn("remaining", "int", description="rows left after this step"),
    dg.TableColumn("rule", "string", description="the rule's text (policy rules table)"),
])


def waterfall_metadata(candidates: int, steps: Mapping[str, int], published: int,
                       rule_texts: Mapping[str, str]) -> dg.TableMetadataValue:
    rows = waterfall_table(candidates, steps, published, rule_texts)
    records = [dg.TableRecord({"step": row["step"], "removed": row["removed"], "remaining": row["remaining"],
                               "rule": row["text"]}) for row in rows]
    return dg.MetadataValue.table(records=records, schema=_SCHEMA)


def suppressed_metadata(suppressed: Mapping[str, int], rule_texts: Mapping[str, str]) -> dg.TableMetadataValue:
    """Every rule a row carries (overlapping: a row excluded by two rules counts twice)."""
    schema = dg.TableSchema(columns=[dg.TableColumn("rule", "string"), dg.TableColumn("rows", "int"),
                                     dg.TableColumn("text", "string")])
    records = [dg.TableRecord({"rule": rule, "rows": int(count), "text": rule_texts.get(rule, "")})
               for rule, count in suppressed.items()]
    return dg.MetadataValue.table(records=records, schema=schema)
