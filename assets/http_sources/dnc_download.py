"""The federal Do-Not-Call full list from a download URL into `inbox/dnc/federal/`.

Every line is checked before the file is kept: a login page, an error page or a body cut
off mid-line must not become the DNC snapshot that a 31-day gate trusts, and a partial
list would silently let registered numbers through. The snapshot date in the file name is
the server's Last-Modified date (when the list was produced), else today in UTC."""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import closing
from datetime import date, datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path

import httpx

from configuration.sources import DncFederalConfig
from .errors import HttpSourceError
from .files import atomic_file
from .retry import RetryPolicy, describe, raise_for_status, send_with_retry

SOURCE = "dnc_federal"
TIMEOUT = httpx.Timeout(120.0, connect=10.0)
CHUNK = 1 << 20
# Whole lines only: each either blank or one number, `AAANNNNNNN` or `AAA,NNNNNNN`.
_VALID_BLOCK = re.compile(rb"(?:[ \t]*(?:\d{3},?\d{7})?[ \t\r]*\n)*")
_NUMBER_LINE = re.compile(rb"[ \t]*\d{3},?\d{7}[ \t\r]*")


def snapshot_date(last_modified: str | None, now: datetime) -> date:
    if last_modified:
        try:
            when = parsedate_to_datetime(last_modified)
        except (TypeError, ValueError, IndexError):
            when = None
        if when is not None:
            return (when if when.tzinfo else when.replace(tzinfo=timezone.utc)).astimezone(timezone.utc).date()
    return now.astimezone(timezone.utc).date()


def snapshot_file_name(snapshot: date) -> str:
    return f"dnc_full_{snapshot:%Y%m%d}.txt"


def pull_dnc_federal(
    config: DncFederalConfig,
    credentials: tuple[str, str] | None,
    inbox: Path,
    *,
    now: datetime,
    sleep: Callable[[float], None],
    log: Callable[[str], None] | None = None,
    policy: RetryPolicy = RetryPolicy(),
) -> dict:
    auth = httpx.BasicAuth(*credentials) if credentials else None
    credential_envs = (config.username_env, config.password_env) if credentials else ()
    with httpx.Client(auth=auth, timeout=TIMEOUT, follow_redirects=True) as client:
        request = client.build_request("GET", config.url)
        response = send_with_retry(client, request, source=SOURCE, credential_envs=credential_envs,
                                   policy=policy, sleep=sleep, log=log, stream=True)
        with closing(response):
            raise_for_status(response, SOURCE, "downloading the full list")
            snapshot = snapshot_date(response.headers.get("Last-Modified"), now)
            path = Path(inbox) / "dnc" / "federal" / snapshot_file_name(snapshot)
            try:
                with atomic_file(path) as handle:
                    numbers = _copy_checked_lines(response.iter_bytes(CHUNK), handle)
            except httpx.TransportError as error:
                raise HttpSourceError(f"{SOURCE}: the download from {describe(request)} broke off ({type(error).__name__}); nothing was written.") from None
    return {"numbers": numbers, "file": path.name, "snapshot_date": snapshot.isoformat()}


def _copy_checked_lines(chunks, handle) -> int:
    """Write the body through, checking whole lines as they complete; the count of numbers."""
    numbers = lines_before = 0
    carry = b""
    first = True
    for chunk in chunks:
        if first and chunk:
            _reject_other_formats(chunk)
            first = False
        data = carry + chunk
        cut = data.rfind(b"\n") + 1
        block, carry = data[:cut], data[cut:]
        numbers += _check_block(block, lines_before)
        lines_before += block.count(b"\n")
        handle.write(block)
    if carry.strip():
        if not _NUMBER_LINE.fullmatch(carry):
            raise _bad_line(lines_before + 1, "the body is cut off mid-line" if carry.strip().isdigit() or b"," in carry else None)
        numbers += 1
        handle.write(carry)
    if numbers == 0:
        raise HttpSourceError(f"{SOURCE}: the download holds no phone numbers; nothing was written.")
    return numbers


def _check_block(block: bytes, lines_before: int) -> int:
    if not _VALID_BLOCK.fullmatch(block):
        for offset, line in enumerate(block.split(b"\n"), start=1):
            if line.strip() and not _NUMBER_LINE.fullmatch(line):
                raise _bad_line(lines_before + offset, None)
    return len(block.split())  # once every line is blank or one number, each token is a number


def _reject_other_formats(first_chunk: bytes) -> None:
    start = first_chunk.lstrip()
    if start.startswith(b"PK\x03\x04"):
        raise HttpSourceError(f"{SOURCE}: the download is a zip archive; point the URL at the unzipped flat text list. Nothing was written.")
    if start[:1] == b"<":
        raise HttpSourceError(f"{SOURCE}: the download is an HTML or XML page (a login or error page?), not a flat text list; nothing was written.")


def _bad_line(number: int, why: str | None) -> HttpSourceError:
    # The line itself is not quoted: it may be part of a phone number.
    reason = f" ({why})" if why else ""
    return HttpSourceError(
        f"{SOURCE}: line {number} of the download is not a phone number in the form AAANNNNNNN or AAA,NNNNNNN{reason}; nothing was written."
    )
