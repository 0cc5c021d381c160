"""The `ref` tables as one Dagster multi-asset."""

import dagster as dg

from configuration.settings import RunSettings

from ..warehouse import connect
from .reference_tables import REFERENCE_TABLES, build_reference_tables


@dg.multi_asset(
    specs=[dg.AssetSpec(["ref", name], group_name="reference", kinds={"duckdb"},
                        description=f"Derived from the phonenumbers and zipcodes packages: {name}.")
           for name in REFERENCE_TABLES],
    can_subset=False,
)
def phone_reference(context: dg.AssetExecutionContext, settings: dg.ResourceParam[RunSettings]):
    with connect(settings.warehouse) as con:
        counts = build_reference_tables(con, cache_dir=settings.home / "cache")
    for name in REFERENCE_TABLES:
        yield dg.MaterializeResult(asset_key=["ref", name], metadata={"dagster/row_count": counts[name]})
