"""Pulling the HTTP sources named in `HOME/sources.yaml` into the inbox layout
(CONTRACT section 5): Mobilize attendances, ActBlue contributions, the federal DNC list.

Each source is pulled on its own: one that fails does not stop the others (a Mobilize
outage should not also leave the DNC snapshot stale), and the failures are raised together
at the end so that a run never goes ahead unaware. Missing credentials are reported before
any request is sent. Log lines carry counts, dates and file names only."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import httpx

from .actblue import pull_actblue
from configuration.sources import MissingCredentialError, SourcesConfig, SourcesConfigError, credential, load_sources_config
from .dnc_download import pull_dnc_federal
from .errors import AuthenticationFailed, HttpSourceError
from .mobilize import pull_mobilize
from .state import CursorStore

__all__ = [
    "AuthenticationFailed", "HttpSourceError", "HttpSourcesFailed", "MissingCredentialError",
    "SourcesConfigError", "load_sources_config", "pull_http_sources",
]


class HttpSourcesFailed(HttpSourceError):
    """At least one source failed; `results` holds the summaries of those that succeeded."""

    def __init__(self, results: dict[str, dict], failures: dict[str, HttpSourceError]):
        self.results = results
        self.failures = failures
        super().__init__("; ".join(str(error) for error in failures.values()))


def pull_http_sources(
    home: Path,
    inbox: Path,
    now: datetime | None = None,
    sleep: Callable[[float], None] = time.sleep,
    log: Callable[[str], None] = print,
) -> dict[str, dict]:
    """Pull every configured source into `inbox`; a summary of counts per source."""
    config = load_sources_config(Path(home))
    if not config.configured:
        return {}
    now = _aware(now or datetime.now(timezone.utc))
    secrets = _resolve_credentials(config)
    cursors = CursorStore(Path(home))
    inbox = Path(inbox)

    results: dict[str, dict] = {}
    failures: dict[str, HttpSourceError] = {}
    for name in config.configured:
        try:
            if name == "mobilize":
                results[name] = pull_mobilize(config.mobilize, secrets[name][0], inbox, cursors, now=now, sleep=sleep, log=log)
            elif name == "actblue":
                results[name] = pull_actblue(config.actblue, *secrets[name], inbox, cursors, now=now, sleep=sleep, log=log)
            else:
                results[name] = pull_dnc_federal(config.dnc_federal, secrets[name], inbox, now=now, sleep=sleep, log=log)
        except HttpSourceError as error:
            failures[name] = error
            log(f"{name}: FAILED: {error}")
        except httpx.HTTPError as error:
            # Only the kind of failure: httpx messages can quote URLs with signed query strings.
            failures[name] = HttpSourceError(f"{name}: the request failed ({type(error).__name__}); nothing was kept from this pull.")
            log(f"{name}: FAILED: {failures[name]}")
        else:
            log(_summary_line(name, results[name]))
    if failures:
        raise HttpSourcesFailed(results, failures)
    return results


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _resolve_credentials(config: SourcesConfig) -> dict[str, tuple[str, ...] | None]:
    secrets: dict[str, tuple[str, ...] | None] = {}
    if config.mobilize:
        secrets["mobilize"] = (credential(config.mobilize.token_env, "mobilize"),)
    if config.actblue:
        secrets["actblue"] = (credential(config.actblue.client_uuid_env, "actblue"),
                              credential(config.actblue.client_secret_env, "actblue"))
    if config.dnc_federal:
        dnc = config.dnc_federal
        secrets["dnc_federal"] = (credential(dnc.username_env, "dnc_federal"),
                                  credential(dnc.password_env, "dnc_federal")) if dnc.username_env else None
    return secrets


def _summary_line(name: str, summary: dict) -> str:
    if name == "mobilize":
        since = summary["updated_since"]
        scope = "full pull" if since is None else f"updated since {datetime.fromtimestamp(since, timezone.utc):%Y-%m-%dT%H:%M:%SZ}"
        return f"mobilize: {summary['pages']} pages, {summary['records']:,} attendances, {len(summary['files'])} files ({scope})"
    if name == "actblue":
        window = f"{summary['start']} to {summary['end']} (end exclusive)"
        if summary["up_to_date"]:
            return f"actblue: up to date, nothing to pull for {window}"
        return f"actblue: {summary['rows']:,} contributions for {window} -> donations/{summary['file']}"
    return f"dnc_federal: {summary['numbers']:,} numbers, snapshot {summary['snapshot_date']} -> dnc/federal/{summary['file']}"
