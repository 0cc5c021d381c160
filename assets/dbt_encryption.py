"""dbt-duckdb plugin (dbt_project/profiles.yml): the OpenSSL crypto module in dbt's DuckDB
before the encrypted warehouse is attached, so dbt writes it securely (assets/encryption.py)."""

from __future__ import annotations

import os

from dbt.adapters.duckdb.plugins import BasePlugin

from .encryption import DBT_KEY_ENV, WAREHOUSE_ALIAS, load_crypto


class Plugin(BasePlugin):
    def configure_connection(self, conn) -> None:
        # Fail closed: without the key the profile would attach with an empty one.
        if not os.environ.get(DBT_KEY_ENV):
            raise RuntimeError(f"{DBT_KEY_ENV} is not set: run dbt through `outreach run`, or set it to HOME's key")
        load_crypto(conn)

    def configure_cursor(self, cursor) -> None:
        # Unqualified names in models and macros (ref.phone_prefixes) resolve in the warehouse, as
        # they did when the warehouse was dbt's main database rather than an attached one.
        cursor.execute(f"use {WAREHOUSE_ALIAS}")
