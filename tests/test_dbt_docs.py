"""The dbt docs leave nothing undocumented (issue 8): every column of every model and
source, every macro, and the published lists as an exposure."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb

from .conftest import open_db

DBT_PROJECT_DIR = Path(__file__).resolve().parent.parent / "dbt_project"
SCHEMAS = ("main", "raw", "ref", "config")
MACRO_DEFINITION = re.compile(r"{%-?\s*macro\s+(\w+)")


def load_manifest() -> dict:
    from assets.dbt import ensure_manifest

    return json.loads(Path(ensure_manifest()).read_text())


def documented_columns(manifest: dict) -> dict[tuple[str, str], dict[str, str]]:
    """(schema, relation) -> {column: description}: models in main, sources in their schema."""
    documented = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] == "model":
            documented[("main", node["name"].lower())] = _descriptions(node)
    for source in manifest["sources"].values():
        documented[(source["source_name"].lower(), source["name"].lower())] = _descriptions(source)
    return documented


def _descriptions(node: dict) -> dict[str, str]:
    return {name.lower(): (column.get("description") or "").strip() for name, column in node["columns"].items()}


def warehouse_columns(warehouse: Path) -> list[tuple[str, str, str]]:
    with open_db(str(warehouse)) as con:
        return con.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            f"where table_schema in ({', '.join('?' for _ in SCHEMAS)}) "
            "order by table_schema, table_name, ordinal_position",
            list(SCHEMAS),
        ).fetchall()


def undocumented(columns: list[tuple[str, str, str]], manifest: dict) -> list[str]:
    documented = documented_columns(manifest)
    missing = []
    for schema, table, column in columns:
        descriptions = documented.get((schema.lower(), table.lower()), {})
        if not descriptions.get(column.lower()):
            label = table if schema == "main" else f"{schema}.{table}"
            missing.append(f"{label}.{column}")
    return missing


def test_every_warehouse_column_is_documented(pipeline_run):
    home = pipeline_run[0]
    columns = warehouse_columns(home / "warehouse.duckdb")
    schemas_seen = {schema for schema, _, _ in columns}
    assert schemas_seen == set(SCHEMAS), f"the run built no relation in {sorted(set(SCHEMAS) - schemas_seen)}"

    missing = undocumented(columns, load_manifest())

    assert not missing, (
        f"{len(missing)} of {len(columns)} warehouse columns have no description in the dbt YAML "
        f"(models in dbt_project/models/*/_*.yml, sources in _sources.yml): " + ", ".join(missing)
    )


def test_every_macro_is_described():
    defined = sorted(
        {name for path in (DBT_PROJECT_DIR / "macros").glob("*.sql") for name in MACRO_DEFINITION.findall(path.read_text())}
    )
    assert defined, "no macro found in dbt_project/macros/*.sql"
    macros = load_manifest()["macros"]

    missing = [name for name in defined if not (macros.get(f"macro.outreach.{name}", {}).get("description") or "").strip()]

    assert not missing, "macros without a description in dbt_project/macros/_macros.yml: " + ", ".join(missing)


def test_published_lists_are_an_exposure():
    exposures = load_manifest()["exposures"]
    published = exposures.get("exposure.outreach.published_lists")

    assert published is not None, "no exposure published_lists"
    assert published["type"] == "application" and published["maturity"] == "high"
    assert published["owner"]["name"] == "Outreach data engineering"
    assert set(published["depends_on"]["nodes"]) >= {"model.outreach.list_members", "model.outreach.list_decisions"}
    for file_name in ("contacts.csv", "contacts.parquet", "decisions.parquet", "manifest.json"):
        assert file_name in published["description"]
