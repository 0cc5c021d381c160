"""`erasure_sweep`: after every dbt build, the people forgotten on request (`outreach forget`,
the ledger's `erasures`) are removed again from the warehouse, so an inbox that still holds
them never brings their names back into a table. The lists never held them: list_decisions
excludes their numbers (C08) and keeps no name for them."""

import dagster as dg

from configuration.settings import RunSettings

from ..warehouse import connect
from .warehouse_scrub import erased_numbers, scrub_warehouse

# dbt builds every model in one step, so these keys mean "after the whole build".
DBT_INPUTS = [dg.AssetKey("list_decisions"), dg.AssetKey("list_members")]


@dg.asset(key=dg.AssetKey("erasure_sweep"), deps=DBT_INPUTS, group_name="compliance", kinds={"duckdb"},
          description="Removes the personal data of people forgotten on request (ledger.erasures) from the "
                      "raw and model tables after each build; decisions keep the excluded row without a name.")
def erasure_sweep(context: dg.AssetExecutionContext, settings: dg.ResourceParam[RunSettings]):
    with connect(settings.warehouse) as con:
        numbers = erased_numbers(con)
        counts = scrub_warehouse(con, numbers)
    context.log.info(f"erasure_sweep: {len(numbers):,} numbers erased on request; {counts['raw_rows']:,} raw rows "
                     f"blanked, {counts['model_rows']:,} model rows removed")
    return dg.MaterializeResult(metadata={"erased_numbers": len(numbers), **counts})
