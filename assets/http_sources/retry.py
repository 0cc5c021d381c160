"""One way to send a request to an HTTP source: retry what is worth retrying, stop clearly
on what is not.

Retried: 429, any 5xx, and transport failures (timeouts, dropped connections). The wait is
exponential backoff with full jitter (a uniform draw from zero to the capped exponential),
so clients that failed together do not come back together; a `Retry-After` header
(seconds or an HTTP date) replaces the draw because the server knows better. Attempts and
the total time spent waiting are both bounded, so a source that is down fails the pull
instead of hanging the run.

401/403 means the credentials are wrong: retrying cannot help, so it fails at once naming
the environment variable to check. Messages show host and path only: query strings hold
cursors and signed download links, and headers hold tokens."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

import httpx

from .errors import AuthenticationFailed, HttpSourceError

RETRYABLE_TRANSPORT_ERRORS = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)
AUTH_STATUSES = (401, 403)


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 6
    base_delay: float = 1.0
    max_delay: float = 60.0
    max_total_wait: float = 300.0


def is_retryable_status(status: int) -> bool:
    return status == 429 or 500 <= status <= 599


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header, None when absent or unreadable."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # HTTP dates are GMT by definition
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - now).total_seconds())


def backoff_delay(attempt: int, policy: RetryPolicy, rng: random.Random | None = None) -> float:
    """Full jitter: uniform over [0, min(max_delay, base_delay * 2^(attempt-1))]."""
    ceiling = min(policy.max_delay, policy.base_delay * 2 ** (attempt - 1))
    return (rng or random).uniform(0, ceiling)


def describe(request: httpx.Request) -> str:
    return f"{request.method} {request.url.host}{request.url.path}"


def send_with_retry(
    client: httpx.Client,
    request: httpx.Request,
    *,
    source: str,
    credential_envs: Sequence[str] = (),
    policy: RetryPolicy = RetryPolicy(),
    sleep: Callable[[float], None] = time.sleep,
    log: Callable[[str], None] | None = None,
    stream: bool = False,
    rng: random.Random | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
) -> httpx.Response:
    """The first response that is not retryable; the caller owns (and closes) it.

    With `credential_envs`, 401/403 raises AuthenticationFailed naming those variables;
    without, it is returned like any other 4xx (a signed download link answers 403 when it
    has expired, which is not a credential problem)."""
    waited = 0.0
    for attempt in range(1, policy.max_attempts + 1):
        try:
            response = client.send(request, stream=stream)
        except RETRYABLE_TRANSPORT_ERRORS as error:
            problem, delay = type(error).__name__, backoff_delay(attempt, policy, rng)
        else:
            status = response.status_code
            if credential_envs and status in AUTH_STATUSES:
                response.close()
                raise AuthenticationFailed(
                    f"authentication failed for {source}: check {' and '.join(credential_envs)} "
                    f"(HTTP {status} from {describe(request)})."
                )
            if not is_retryable_status(status):
                return response
            response.close()
            problem = f"HTTP {status}"
            delay = retry_after_seconds(response.headers.get("Retry-After"), clock())
            if delay is None:
                delay = backoff_delay(attempt, policy, rng)
        if attempt == policy.max_attempts:
            raise HttpSourceError(f"{source}: {problem} from {describe(request)}; gave up after {attempt} attempts.")
        if waited + delay > policy.max_total_wait:
            raise HttpSourceError(
                f"{source}: {problem} from {describe(request)}; waiting {delay:.0f} s more would pass the "
                f"{policy.max_total_wait:.0f} s retry budget (after {attempt} attempts)."
            )
        if log:
            log(f"{source}: {problem} from {describe(request)}, retry {attempt + 1}/{policy.max_attempts} in {delay:.1f} s")
        sleep(delay)
        waited += delay
    raise AssertionError("unreachable: the loop returns or raises")


def raise_for_status(response: httpx.Response, source: str, what: str) -> None:
    """A clear error for a non-2xx response; JSON error bodies are quoted (shortened)
    because they say what was wrong with the request, other bodies are not."""
    if response.is_success:
        return
    detail = ""
    if "json" in response.headers.get("Content-Type", ""):
        try:
            detail = ": " + response.read().decode("utf-8", "replace").strip()[:300]
        except httpx.HTTPError:
            detail = ""
    response.close()
    raise HttpSourceError(f"{source}: {what} failed with HTTP {response.status_code} from {describe(response.request)}{detail}")
