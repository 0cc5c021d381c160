"""Shared fixtures: one small generated inbox and one real pipeline run for the session."""

from __future__ import annotations

import io
import os
from datetime import datetime
from pathlib import Path

import pytest

AS_OF = datetime.fromisoformat("2026-11-28T12:00:00-05:00")

# The session's encryption key (docs/security.md): every home the tests make is encrypted with
# it, and the CLI and dbt subprocesses inherit it. Tests of a missing key remove it from the
# environment they hand their subprocess.
TEST_KEY = "test-key-for-the-suite-only-0123456789abcdef"
os.environ["OUTREACH_KEY"] = TEST_KEY
os.environ["DBT_ENV_SECRET_OUTREACH_KEY"] = TEST_KEY


def open_db(path: Path, read_only: bool = True):
    """A connection to an encrypted DuckDB file of a home (the warehouse, the ledger, a ledger
    export), with the test key; unqualified names resolve in it. Close it when done."""
    from assets import encryption

    path = Path(path)
    alias = encryption.WAREHOUSE_ALIAS if path.name.startswith("warehouse") else "outreach_db"
    con = encryption.new_connection(path.parent / (path.name + ".tmp"))
    encryption.attach(con, path, alias, TEST_KEY, read_only=read_only)
    con.execute(f"use {alias}")
    return con


@pytest.fixture(scope="session")
def small_inbox(tmp_path_factory) -> Path:
    from synthetic import generate_inbox

    inbox = tmp_path_factory.mktemp("inbox")
    generate_inbox(inbox, voters=3000, seed=7, as_of=AS_OF)
    return inbox


@pytest.fixture(scope="session")
def pipeline_run(small_inbox, tmp_path_factory):
    """The real Dagster job over the small inbox: (home, exit status, outcomes, printed text)."""
    from orchestration.runner import run_pipeline
    from configuration.settings import RunSettings

    home = tmp_path_factory.mktemp("home")
    settings = RunSettings.build(small_inbox, home, AS_OF)
    out = io.StringIO()
    status, outcomes = run_pipeline(settings, out=out)
    return home, status, outcomes, out.getvalue()
