"""The Dagster asset that publishes the run's every-channel suppressions to the API (live.py)."""

import dagster as dg

from configuration.settings import RunSettings

from .snapshot import snapshot_from_warehouse

SNAPSHOT_KEY = dg.AssetKey(["serving", "suppressed_numbers"])


@dg.asset(key=SNAPSHOT_KEY, deps=[dg.AssetKey("suppressed_numbers")], group_name="serving", kinds={"parquet"},
          owners=["team:compliance"],
          description="HOME/ledger/suppressed_numbers.parquet: every number any ledger event suppresses on every "
                      "channel, whatever its time (R09, R11, R28, C07); the API removes them from every pull.")
def suppressed_numbers_snapshot(context: dg.AssetExecutionContext, settings: dg.ResourceParam[RunSettings]):
    counts = snapshot_from_warehouse(settings.warehouse, settings.home)
    context.log.info(f"suppressed_numbers.parquet: {counts['numbers']:,} numbers")
    return dg.MaterializeResult(metadata={"dagster/row_count": sum(v for k, v in counts.items() if k != "numbers"),
                                          "numbers": counts["numbers"]})
