"""Mobilize attendances into `inbox/volunteers/`, one file per response page, as received.

Incremental: `updated_since` is the start of the last successful pull minus an overlap.
The pull's own start time is used rather than the newest `modified_date` seen, because
records changed while a pull is paging may sort onto pages already fetched; the overlap
also absorbs clock skew between us and Mobilize. Re-fetched records are the same
attendance again (same `id`), not new ones.

Pages are staged in a hidden folder and moved into place only when the last page has
arrived, so a pull that fails midway leaves nothing behind and, since its cursor is not
saved, the next pull starts from the same point."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from contextlib import closing
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urljoin

import httpx

from configuration.sources import MobilizeConfig
from .errors import HttpSourceError
from .retry import RetryPolicy, raise_for_status, send_with_retry
from .state import CursorStore

SOURCE = "mobilize"
OVERLAP = timedelta(minutes=10)
TIMEOUT = httpx.Timeout(30.0, connect=10.0)
MAX_PAGES = 100_000  # a server handing back cursors forever must not keep the run alive


def cursor_key(config: MobilizeConfig) -> str:
    return f"{SOURCE}:{config.organization_id}"


def pull_stamp(now: datetime) -> str:
    return now.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def page_file_name(stamp: str, page: int) -> str:
    return f"mobilize_{stamp}_{page:04d}.json"


def pull_mobilize(
    config: MobilizeConfig,
    token: str,
    inbox: Path,
    cursors: CursorStore,
    *,
    now: datetime,
    sleep: Callable[[float], None],
    log: Callable[[str], None] | None = None,
    policy: RetryPolicy = RetryPolicy(),
) -> dict:
    """Fetch every attendance changed since the saved cursor; returns counts."""
    key = cursor_key(config)
    since = (cursors.get(key) or {}).get("updated_since")
    if since is not None and (isinstance(since, bool) or not isinstance(since, int)):
        raise HttpSourceError(f"{SOURCE}: the saved cursor in {cursors.path} is not a unix time; delete its "
                              f"'{key}' entry to pull everything again.")
    folder = Path(inbox) / "volunteers"
    stamp = pull_stamp(now)
    _remove_abandoned_staging(folder)
    staging = folder / f".mobilize_{stamp}.partial"

    first_url = f"{config.base_url}/organizations/{config.organization_id}/attendances"
    params = {"per_page": config.per_page}
    if since is not None:
        params["updated_since"] = since
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}

    pages = records = 0
    written: list[str] = []
    try:
        with httpx.Client(headers=headers, timeout=TIMEOUT, follow_redirects=False) as client:
            request = client.build_request("GET", first_url, params=params)
            seen_urls: set[str] = set()
            while request is not None:
                response = send_with_retry(client, request, source=SOURCE, credential_envs=(config.token_env,),
                                           policy=policy, sleep=sleep, log=log)
                with closing(response):
                    raise_for_status(response, SOURCE, "attendances request")
                    body = response.content
                page = _parse_page(body, pages + 1)
                pages += 1
                if page["data"]:  # an empty page adds nothing for the reader but a file to skip
                    staging.mkdir(parents=True, exist_ok=True)
                    name = page_file_name(stamp, pages)
                    (staging / name).write_bytes(body)  # verbatim: the reader expects the API envelope
                    written.append(name)
                    records += len(page["data"])
                request = _next_request(client, page.get("next"), request.url, first_url, seen_urls, pages)
        _publish(staging, folder, written)
    finally:
        shutil.rmtree(staging, ignore_errors=True)

    new_since = int((now - OVERLAP).timestamp())
    cursors.put(key, {"updated_since": new_since, "pulled_at": now.astimezone(timezone.utc).isoformat()})
    return {"pages": pages, "records": records, "files": written, "updated_since": since, "next_updated_since": new_since}


def _parse_page(body: bytes, number: int) -> dict:
    try:
        page = json.loads(body)
    except ValueError:
        raise HttpSourceError(f"{SOURCE}: page {number} is not JSON; nothing was kept from this pull.") from None
    if not isinstance(page, dict):
        raise HttpSourceError(f"{SOURCE}: page {number} is not a response envelope; nothing was kept from this pull.")
    if page.get("error"):
        raise HttpSourceError(f"{SOURCE}: page {number} carries an error ({str(page['error'])[:200]}); nothing was kept from this pull.")
    if not isinstance(page.get("data"), list):
        raise HttpSourceError(f'{SOURCE}: page {number} has no "data" list; nothing was kept from this pull.')
    return page


def _next_request(client: httpx.Client, next_url, current: httpx.URL, first_url: str, seen: set[str], pages: int):
    if not next_url:
        return None
    if not isinstance(next_url, str):
        raise HttpSourceError(f'{SOURCE}: page {pages} has a "next" that is not a URL; nothing was kept from this pull.')
    try:
        url = httpx.URL(urljoin(str(current), next_url))
    except httpx.InvalidURL:
        raise HttpSourceError(f'{SOURCE}: page {pages} has a "next" that is not a valid URL; nothing was kept from this pull.') from None
    # The bearer token goes with every request, so `next` may only lead back to the same API.
    if _origin(url) != _origin(httpx.URL(first_url)):
        raise HttpSourceError(f'{SOURCE}: page {pages} points "next" at another host ({url.host}); refusing to send the token there.')
    if str(url) in seen or pages >= MAX_PAGES:
        raise HttpSourceError(f"{SOURCE}: paging does not end (page {pages} repeats a cursor or passes {MAX_PAGES} pages).")
    seen.add(str(url))
    return client.build_request("GET", url)


def _origin(url: httpx.URL) -> tuple:
    return url.scheme, url.host, url.port


def _publish(staging: Path, folder: Path, names: list[str]) -> None:
    for name in names:
        os.replace(staging / name, folder / name)


def _remove_abandoned_staging(folder: Path) -> None:
    # A pull killed outright (no chance to clean up) leaves its hidden staging folder behind.
    if folder.is_dir():
        for leftover in folder.glob(".mobilize_*.partial"):
            shutil.rmtree(leftover, ignore_errors=True)
