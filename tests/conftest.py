"""Shared fixtures: one small generated inbox and one real pipeline run for the session."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import pytest

AS_OF = datetime.fromisoformat("2026-11-28T12:00:00-05:00")


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
