"""ActBlue contributions through the CSV API into `inbox/donations/`.

A pull asks ActBlue for one report covering [start, today) in UTC, waits for it, and
downloads it. The window end is exclusive and today is still changing, so the next pull
starts exactly where this one ended: windows neither overlap nor leave gaps. The download
link is a signed URL valid for ten minutes; it gets no credentials (they belong to the API
only) and an expired one is replaced by a fresh report once."""

from __future__ import annotations

import csv
from collections.abc import Callable
from contextlib import closing
from datetime import date, datetime, timezone
from pathlib import Path

import httpx

from configuration.sources import ActBlueConfig
from .errors import HttpSourceError
from .files import atomic_file
from .retry import RetryPolicy, describe, raise_for_status, send_with_retry
from .state import CursorStore

SOURCE = "actblue"
TIMEOUT = httpx.Timeout(60.0, connect=10.0)
POLL_INTERVAL = 5.0
MAX_POLLS = 120  # ten minutes of polling at the default interval
EXPIRED_LINK_STATUSES = (403, 404, 410)
FAILED_REPORT_STATUSES = ("failed", "error", "errored", "cancelled", "canceled", "expired")
HEADER_MARKER = "Receipt ID"
CHUNK = 1 << 16


def cursor_key(config: ActBlueConfig) -> str:
    return f"{SOURCE}:{config.csv_type}"


def report_window(config: ActBlueConfig, cursors: CursorStore, now: datetime) -> tuple[date, date]:
    """[start, end): from the saved cursor (else `start_date`) up to today in UTC, exclusive."""
    saved = (cursors.get(cursor_key(config)) or {}).get("next_start")
    try:
        start = date.fromisoformat(saved) if saved else config.start_date
    except (TypeError, ValueError):
        raise HttpSourceError(f"{SOURCE}: the saved cursor in {cursors.path} is not a date; delete its "
                              f"'{cursor_key(config)}' entry to start again from start_date.") from None
    return start, now.astimezone(timezone.utc).date()


def report_file_name(csv_type: str, start: date, end: date) -> str:
    return f"actblue_{csv_type}_{start.isoformat()}_{end.isoformat()}.csv"


def pull_actblue(
    config: ActBlueConfig,
    client_uuid: str,
    client_secret: str,
    inbox: Path,
    cursors: CursorStore,
    *,
    now: datetime,
    sleep: Callable[[float], None],
    log: Callable[[str], None] | None = None,
    policy: RetryPolicy = RetryPolicy(),
    poll_interval: float = POLL_INTERVAL,
    max_polls: int = MAX_POLLS,
) -> dict:
    start, end = report_window(config, cursors, now)
    if start >= end:
        return {"start": start.isoformat(), "end": end.isoformat(), "rows": 0, "file": None, "up_to_date": True}
    path = Path(inbox) / "donations" / report_file_name(config.csv_type, start, end)
    credentials = (config.client_uuid_env, config.client_secret_env)
    retry = {"policy": policy, "sleep": sleep, "log": log}

    with httpx.Client(auth=httpx.BasicAuth(client_uuid, client_secret), timeout=TIMEOUT) as api, \
            httpx.Client(timeout=TIMEOUT, follow_redirects=True) as downloads:  # no auth: signed link
        for attempt in (1, 2):
            report_id = _create_report(api, config, start, end, credentials, retry)
            link = _wait_for_link(api, config, report_id, credentials, retry, poll_interval, max_polls)
            rows = _download(downloads, link, path, retry)
            if rows is not None:
                break
            if attempt == 1 and log:
                log(f"{SOURCE}: the download link had expired; asking for a fresh report")
        else:
            raise HttpSourceError(f"{SOURCE}: the report's download link had expired again on a fresh report; nothing was written.")

    cursors.put(cursor_key(config), {"next_start": end.isoformat(), "pulled_at": now.astimezone(timezone.utc).isoformat()})
    return {"start": start.isoformat(), "end": end.isoformat(), "rows": rows, "file": path.name, "up_to_date": False}


def _create_report(api: httpx.Client, config: ActBlueConfig, start: date, end: date, credentials, retry) -> str:
    body = {"csv_type": config.csv_type, "date_range_start": start.isoformat(), "date_range_end": end.isoformat()}
    request = api.build_request("POST", f"{config.base_url}/csvs", json=body)
    with closing(send_with_retry(api, request, source=SOURCE, credential_envs=credentials, **retry)) as response:
        raise_for_status(response, SOURCE, "creating the CSV report")
        report_id = _json(response, "creating the CSV report").get("id")
    if report_id in (None, ""):
        raise HttpSourceError(f"{SOURCE}: creating the CSV report returned no id.")
    return str(report_id)


def _wait_for_link(api: httpx.Client, config: ActBlueConfig, report_id: str, credentials, retry,
                   poll_interval: float, max_polls: int) -> str:
    for poll in range(1, max_polls + 1):
        request = api.build_request("GET", f"{config.base_url}/csvs/{report_id}")
        with closing(send_with_retry(api, request, source=SOURCE, credential_envs=credentials, **retry)) as response:
            raise_for_status(response, SOURCE, "checking the CSV report")
            report = _json(response, "checking the CSV report")
        link = report.get("download_url")
        if link:
            if not isinstance(link, str) or not link.startswith(("https://", "http://")):
                raise HttpSourceError(f"{SOURCE}: report {report_id} has a download_url that is not an http(s) URL.")
            return link
        status = str(report.get("status") or "").lower()
        if status in FAILED_REPORT_STATUSES:
            raise HttpSourceError(f"{SOURCE}: report {report_id} ended with status '{status}'.")
        if poll < max_polls:
            retry["sleep"](poll_interval)
    raise HttpSourceError(f"{SOURCE}: report {report_id} was not ready after {max_polls} polls ({max_polls * poll_interval:.0f} s).")


def _download(downloads: httpx.Client, link: str, path: Path, retry) -> int | None:
    """Rows written to `path`, or None when the link has expired."""
    request = downloads.build_request("GET", link)
    response = send_with_retry(downloads, request, source=SOURCE, stream=True, **retry)
    with closing(response):
        if response.status_code in EXPIRED_LINK_STATUSES:
            return None
        raise_for_status(response, SOURCE, "downloading the CSV report")
        try:
            with atomic_file(path) as handle:
                _stream_with_checked_header(response, handle)
        except httpx.TransportError as error:
            raise HttpSourceError(f"{SOURCE}: the download from {describe(request)} broke off ({type(error).__name__}); nothing was written.") from None
    return _count_rows(path)


def _stream_with_checked_header(response: httpx.Response, handle) -> None:
    # The header is checked before a byte is kept: an HTML error page served with status
    # 200 must not land in donations/ as if it were a report.
    head = b""
    chunks = response.iter_bytes(CHUNK)
    for chunk in chunks:
        head += chunk
        if b"\n" in head or len(head) > CHUNK:
            break
    if HEADER_MARKER not in _header_fields(head):
        raise HttpSourceError(
            f"{SOURCE}: the download is not an ActBlue contributions CSV (its first line has no '{HEADER_MARKER}' column); nothing was written."
        )
    handle.write(head)
    for chunk in chunks:
        handle.write(chunk)


def _header_fields(head: bytes) -> list[str]:
    first_line = head.split(b"\n", 1)[0].decode("utf-8-sig", "replace")
    try:
        return [field.strip() for field in next(csv.reader([first_line]), [])]
    except csv.Error:
        return []


def _count_rows(path: Path) -> int:
    # csv.reader, not line counting: comments and addresses may hold quoted line breaks.
    # Delimiters and quotes are ASCII, so a Latin-1 export counts the same read as UTF-8.
    with open(path, encoding="utf-8", errors="replace", newline="") as text:
        return max(0, sum(1 for _ in csv.reader(text)) - 1)


def _json(response: httpx.Response, what: str) -> dict:
    try:
        data = response.json()
    except ValueError:
        raise HttpSourceError(f"{SOURCE}: {what} returned a body that is not JSON.") from None
    if not isinstance(data, dict):
        raise HttpSourceError(f"{SOURCE}: {what} returned JSON that is not an object.")
    return data
