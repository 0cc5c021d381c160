"""Twilio's request signature (`X-Twilio-Signature`) for the inbound-SMS webhook.

Twilio's documented algorithm: the full URL Twilio requested (scheme, host, path and query
string, exactly as configured), then every POST parameter's name immediately followed by its
value, sorted by name (case-sensitive), no delimiters; HMAC-SHA1 of that UTF-8 string keyed
with the account's auth token; base64. Repeated names are ordered by value as well, so the
result never depends on the order a form was parsed in.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping


def _pairs(params: Iterable[tuple[str, str]] | Mapping[str, str]) -> list[tuple[str, str]]:
    items = params.items() if isinstance(params, Mapping) else params
    return sorted((str(key), "" if value is None else str(value)) for key, value in items)


def twilio_signature(auth_token: str, url: str, params: Iterable[tuple[str, str]] | Mapping[str, str]) -> str:
    """The base64 HMAC-SHA1 signature Twilio sends for a form POST of `params` to `url`."""
    signed = url + "".join(key + value for key, value in _pairs(params))
    digest = hmac.new(auth_token.encode("utf-8"), signed.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def valid_twilio_signature(auth_token: str, url: str, params: Iterable[tuple[str, str]] | Mapping[str, str],
                           signature: str | None) -> bool:
    """Whether `signature` (the X-Twilio-Signature header) signs `params` at `url`.

    False for a missing header or an empty auth token: an unconfigured token must never let
    an unsigned request through. Compared in constant time."""
    if not signature or not auth_token:
        return False
    expected = twilio_signature(auth_token, url, params)
    return hmac.compare_digest(expected.encode("ascii"), signature.strip().encode("utf-8", "replace"))
