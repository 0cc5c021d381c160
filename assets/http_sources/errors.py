"""Failures of an HTTP pull. Messages name the source, the request path and the status;
they never carry tokens, query strings (cursors, signed download URLs) or response records."""

from __future__ import annotations


class HttpSourceError(RuntimeError):
    """A pull that could not complete; nothing from it was kept and its cursor did not move."""


class AuthenticationFailed(HttpSourceError):
    """The source refused the credentials (401/403)."""
