"""What one run is about: where the inbox and home are, the as-of time, and the configuration."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .config_files import ListsConfig, Policy, load_lists, load_policy, resolve_config_path

# Where dbt builds the models (docs/scale-out.md): the embedded DuckDB, or Spark through dbt-spark.
ENGINES = ("duckdb", "spark")


def parse_as_of(text: str | None) -> datetime:
    """ISO 8601 with an offset (CONTRACT section 1); now when absent."""
    if not text:
        return datetime.now(timezone.utc).replace(microsecond=0)
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError(f"--as-of '{text}' needs a UTC offset, e.g. 2026-11-28T12:00:00-05:00")
    return value


@dataclass(frozen=True)
class RunSettings:
    inbox: Path
    home: Path
    as_of: datetime
    lists: ListsConfig
    policy: Policy
    engine: str = "duckdb"

    @property
    def warehouse(self) -> Path:
        return self.home / "warehouse.duckdb"

    @property
    def published(self) -> Path:
        return self.home / "published"

    @classmethod
    def build(cls, inbox: Path, home: Path, as_of: datetime, lists_path: Path | None = None,
              policy_path: Path | None = None, engine: str = "duckdb") -> "RunSettings":
        if engine not in ENGINES:
            raise ValueError(f"engine '{engine}' is not one of {', '.join(ENGINES)}")
        home = home.resolve()
        return cls(
            inbox=inbox.resolve(),
            home=home,
            as_of=as_of,
            lists=load_lists(resolve_config_path(lists_path, home, "lists.yaml")),
            policy=load_policy(resolve_config_path(policy_path, home, "policy.yaml")),
            engine=engine,
        )

    @classmethod
    def from_environment(cls) -> "RunSettings":
        """For `dagster dev`: OUTREACH_INBOX, OUTREACH_HOME, OUTREACH_AS_OF, OUTREACH_ENGINE, else the demo folders."""
        return cls.build(
            Path(os.environ.get("OUTREACH_INBOX", "data/inbox")),
            Path(os.environ.get("OUTREACH_HOME", "data/home")),
            parse_as_of(os.environ.get("OUTREACH_AS_OF")),
            Path(os.environ["OUTREACH_LISTS"]) if os.environ.get("OUTREACH_LISTS") else None,
            Path(os.environ["OUTREACH_POLICY"]) if os.environ.get("OUTREACH_POLICY") else None,
            engine=os.environ.get("OUTREACH_ENGINE", "duckdb"),
        )
