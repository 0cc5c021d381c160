"""`ledger_absorb`: the ledger's tables copied into the warehouse schema `ledger` for dbt and the gates.

The ingest assets append to the ledger as they read each family (assets/sources_assets.py);
this asset runs after all of them, first appends what the API journaled since the last run
(HOME/ledger/journal/, assets/journal/absorb.py), then publishes the whole ledger as
`ledger.<table>`, with Dagster keys `["ledger", table]` (what dagster-dbt maps a dbt source
`ledger` to). So dbt staging and the gate both decide from pushed-back records too."""

import dagster as dg

from configuration.settings import RunSettings

from ..ingest.sources import SOURCE_FAMILIES
from ..journal.absorb import absorb_journal
from ..warehouse import connect
from .store import copy_to_warehouse
from .tables import LEDGER_TABLES

_RAW_TABLES = {family.name: family.tables for family in SOURCE_FAMILIES}


def _raw_deps(families: tuple[str, ...]) -> list[dg.AssetKey]:
    return [dg.AssetKey(["raw", table]) for family in families for table in _RAW_TABLES.get(family, (family,))]


@dg.multi_asset(
    name="ledger_absorb",
    specs=[dg.AssetSpec(["ledger", table.name], group_name="ingest", kinds={"duckdb"},
                        description=f"{table.description} Append-only (HOME/ledger/ledger.duckdb), copied here each run.",
                        deps=_raw_deps(table.families))
           for table in LEDGER_TABLES],
    can_subset=False,
)
def ledger_absorb(context: dg.AssetExecutionContext, settings: dg.ResourceParam[RunSettings]):
    with connect(settings.warehouse) as con:
        journaled = absorb_journal(con, settings.home)
        summary = copy_to_warehouse(con, settings.home)
    context.log.info(f"ledger: {sum(journaled.values()):,} new rows from the API journal")
    total = sum(s["rows"] for s in summary.values())
    context.log.info(f"ledger: {total:,} rows in {len(summary)} tables copied to the warehouse schema ledger")
    for name, counts in summary.items():
        yield dg.MaterializeResult(
            asset_key=["ledger", name],
            metadata={"dagster/row_count": counts["rows"], "file_versions": counts["files"]},
        )
