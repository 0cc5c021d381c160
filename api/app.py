"""The dialer API (CONTRACT section 8) as a Starlette application; `outreach serve` runs it on uvicorn.

Pull: `GET /v1/lists`, `GET /v1/lists/{name}`, `GET /v1/lists/{name}/contacts`. What a pull
serves is the latest version (or the cursor's) minus every number suppressed since it was
published (assets/journal: the push-back journal and the runs' suppression snapshot), in
the consumer's export profile.

Push back: `POST /v1/opt-outs`, `/v1/dispositions`, `/v1/inbound-sms` and the Twilio
webhook `/v1/webhooks/twilio/sms`. A record is in the durable journal (fsync'd) before the
answer is sent, and the next pull already honours it.

Every request lands in the audit (api/audit.py) with counts, never a number or a token.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import parse_qsl

import pyarrow as pa
import pyarrow.compute as pc
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from assets.exports.profiles import profile_allows_channel, render_profile
from assets.journal import (LiveSuppressionError, append_records, live_suppression, numbers_held, parse_csv_body,
                            unread_lines, validate_records)
from assets.journal.twilio import valid_twilio_signature
from configuration.config_files import Policy, load_policy, resolve_config_path

from .audit import AuditLog, AuditRecord
from .consumers import Consumer, ConsumerError, ConsumerStore
from .formats import FORMATS, MEDIA_TYPES, serialize
from .ratelimit import RateLimiter
from .versions import (BadCursor, NotPublished, TableCache, Version, decode_cursor, encode_cursor,
                       load_version)

log = logging.getLogger("outreach.api")

PUSH_FAMILIES = {"/v1/opt-outs": "opt_outs", "/v1/dispositions": "contact_history", "/v1/inbound-sms": "inbound_sms"}
SUPPRESSED_HEADER = "X-Outreach-Suppressed-Live"


@dataclass(frozen=True)
class ServeOptions:
    # Requests per minute per consumer (and per client address before a token is known).
    rate_per_minute: int = 600
    burst: int = 120
    max_body_bytes: int = 1 << 20
    # The URL Twilio is configured to call, when the server sits behind a proxy (the
    # signature covers the public URL, not the one the server sees).
    public_url: str | None = None
    twilio_token_env: str = "TWILIO_AUTH_TOKEN"
    # Served bytes kept for repeated pulls of the same version, profile and suppression.
    response_cache_entries: int = 16


class HttpError(Exception):
    def __init__(self, status: int, message: str, headers: dict | None = None, **extra):
        super().__init__(message)
        self.status, self.message, self.headers, self.extra = status, message, headers or {}, extra


class BodyTooLarge(HttpError):
    def __init__(self, limit: int):
        super().__init__(413, f"request body larger than {limit:,} bytes")


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


class OutreachApi:
    def __init__(self, home: Path, options: ServeOptions | None = None, policy_path: Path | None = None):
        self.home = Path(home).resolve()
        self.options = options or ServeOptions()
        self.consumers = ConsumerStore(self.home)
        self.audit = AuditLog(self.home)
        self.limiter = RateLimiter(self.options.rate_per_minute, self.options.burst)
        self.policy: Policy = load_policy(resolve_config_path(policy_path, self.home, "policy.yaml"))
        self.suppression = live_suppression(self.home, self.policy.data["sms_opt_out"])
        self.tables = TableCache()
        self._responses: OrderedDict[tuple, tuple[bytes, str]] = OrderedDict()
        self._responses_lock = threading.Lock()

    # --- plumbing ---------------------------------------------------------------------------

    def app(self) -> Starlette:
        routes = [
            Route("/v1/lists", self.endpoint(self.lists), methods=["GET"]),
            Route("/v1/lists/{name}", self.endpoint(self.manifest), methods=["GET"]),
            Route("/v1/lists/{name}/contacts", self.endpoint(self.contacts), methods=["GET"]),
            *[Route(path, self.endpoint(self.push), methods=["POST"]) for path in PUSH_FAMILIES],
            Route("/v1/webhooks/twilio/sms", self.endpoint(self.twilio, authenticated=False), methods=["POST"]),
            Route("/healthz", self.health, methods=["GET"]),
        ]
        return Starlette(routes=routes)

    async def health(self, request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    def endpoint(self, handler, authenticated: bool = True):
        async def run(request: Request) -> Response:
            started = time.monotonic()
            route = request.scope.get("route")
            record = AuditRecord(method=request.method, endpoint=getattr(route, "path", request.url.path))
            try:
                consumer = None
                if authenticated:
                    consumer = await run_in_threadpool(self.consumers.authenticate, _bearer(request))
                    record.consumer = consumer.name if consumer else None
                    key = f"consumer:{consumer.name}" if consumer else f"client:{request.client.host if request.client else '-'}"
                    wait = self.limiter.take(key)
                    if wait is not None:
                        raise HttpError(429, "rate limit exceeded", {"Retry-After": str(max(1, round(wait)))})
                    if consumer is None:
                        raise HttpError(401, "missing, unknown or revoked bearer token",
                                        {"WWW-Authenticate": 'Bearer realm="outreach"'})
                response = await handler(request, consumer, record)
            except HttpError as error:
                record.detail = error.message
                response = JSONResponse({"error": error.message, **error.extra}, status_code=error.status,
                                        headers=error.headers)
            except ConsumerError as error:
                record.detail = str(error)
                response = JSONResponse({"error": "the consumer store cannot be read"}, status_code=500)
            except Exception as error:  # never a traceback (or a value) to the client
                log.error("request failed: %s", type(error).__name__)
                record.detail = f"internal error ({type(error).__name__})"
                response = JSONResponse({"error": "internal error"}, status_code=500)
            record.status = response.status_code
            record.duration_ms = round((time.monotonic() - started) * 1000, 3)
            await run_in_threadpool(self.audit.append, record)
            return response

        return run

    @staticmethod
    def _scope(consumer: Consumer, name: str) -> None:
        if not consumer.may_read(name):
            raise HttpError(403, f"this token may not read list '{name}'" if len(name) <= 64 else "list outside this token's scope")

    def _version(self, name: str, version: str | None = None) -> Version:
        try:
            return load_version(self.home, name, version)
        except NotPublished:
            raise HttpError(404, f"list '{name}' has no published version") from None

    @staticmethod
    def _check_expiry(version: Version) -> None:
        if version.expired():
            raise HttpError(410, f"version {version.version} of {version.list_name} expired; pull again after the next run",
                            {"X-Outreach-Expired-At": version.manifest["expires_at"]},
                            version=version.version, expired_at=version.manifest["expires_at"])

    # --- pull -------------------------------------------------------------------------------

    async def lists(self, request: Request, consumer: Consumer, record: AuditRecord) -> Response:
        now = datetime.now(timezone.utc)
        items = []
        for name in consumer.lists:
            try:
                version = load_version(self.home, name)
            except NotPublished:
                items.append({"name": name, "published": False})
                continue
            items.append({
                "name": name, "published": True, "latest_version": version.version,
                "channel": version.manifest.get("channel"), "rows": version.manifest.get("row_count"),
                "as_of": version.manifest.get("as_of"), "expires_at": version.manifest.get("expires_at"),
                "expired": version.expired(now), "profile": consumer.profile,
            })
        return JSONResponse({"consumer": consumer.name, "profile": consumer.profile, "lists": items})

    async def manifest(self, request: Request, consumer: Consumer, record: AuditRecord) -> Response:
        name = request.path_params["name"]
        record.list_name = name
        self._scope(consumer, name)
        version = self._version(name)
        record.version = version.version
        return JSONResponse(version.manifest)

    async def contacts(self, request: Request, consumer: Consumer, record: AuditRecord) -> Response:
        name = request.path_params["name"]
        record.list_name = name
        self._scope(consumer, name)
        query = request.query_params
        profile = query.get("profile") or consumer.profile
        record.profile = profile
        if profile != consumer.profile:
            raise HttpError(403, f"this token reads profile '{consumer.profile}' only")
        fmt = query.get("format", "csv")
        record.format = fmt
        if fmt not in FORMATS:
            raise HttpError(400, f"format must be one of {', '.join(FORMATS)}")
        limit = query.get("limit")
        if limit is not None and (not limit.isdigit() or int(limit) < 1):
            raise HttpError(400, "limit must be a whole number of rows, at least 1")
        limit = int(limit) if limit is not None else None
        offset, pinned = 0, None
        if query.get("cursor"):
            try:
                pinned, offset = decode_cursor(query["cursor"])
            except BadCursor as error:
                raise HttpError(400, str(error)) from None
        version = self._version(name, pinned)
        record.version = version.version
        channel = version.manifest.get("effective_channel") or version.manifest.get("channel") or ""
        if not profile_allows_channel(profile, channel):
            # A texting tool's profile on a call list: those numbers were never cleared for texts.
            raise HttpError(403, f"profile '{profile}' does not carry {channel or 'this'} lists")
        self._check_expiry(version)
        body, etag, served, suppressed, total = await run_in_threadpool(
            self._rows, version, profile, fmt, offset, limit)
        record.rows_served, record.rows_suppressed_live = served, suppressed
        headers = {"ETag": f'"{etag}"', "X-Outreach-Version": version.version, SUPPRESSED_HEADER: str(suppressed),
                   "X-Outreach-Expires-At": version.manifest["expires_at"], "X-Outreach-Rows": str(served),
                   "Cache-Control": "no-store"}
        if limit is not None and offset + limit < total:
            headers["X-Outreach-Next-Cursor"] = encode_cursor(version.version, offset + limit)
        if isinstance(body, Path):
            headers["Content-Length"] = str(body.stat().st_size)
            return StreamingResponse(_file_chunks(body), media_type=MEDIA_TYPES[fmt], headers=headers)
        return Response(body, media_type=MEDIA_TYPES[fmt], headers=headers)

    def _rows(self, version: Version, profile: str, fmt: str, offset: int, limit: int | None):
        """(body, etag, rows served, rows suppressed live, rows after suppression) for one pull."""
        if profile == "outreach":
            source_name = "contacts.parquet"
        else:
            source_name = "profile_source.parquet"
        source_path = version.folder / source_name
        if not source_path.is_file():
            raise HttpError(409, f"version {version.version} has no {source_name}; it was published before "
                                 f"profile '{profile}' could be served: run again")
        table = self.tables.read(source_path)
        try:
            value_set = self.suppression.value_set()
        except LiveSuppressionError as error:
            # Serving without the journal could hand out an opted-out number: refuse instead.
            raise HttpError(503, f"live suppression cannot be read ({error}); try again") from None
        hit = pc.fill_null(pc.is_in(table["phone_e164"], value_set=value_set), False) if len(value_set) else None
        suppressed = 0 if hit is None else (pc.sum(hit).as_py() or 0)
        if suppressed:
            table = table.filter(pc.invert(hit))
        total = table.num_rows
        window = table.slice(offset, limit) if (offset or limit is not None) else table
        # Served as published, byte for byte, when nothing was taken out: ETag = the file's sha256.
        published_name = {"csv": "contacts.csv", "parquet": "contacts.parquet"}.get(fmt)
        if profile == "outreach" and not suppressed and window.num_rows == total and published_name:
            entry = version.manifest["files"][published_name]
            return version.folder / published_name, entry["sha256"], total, 0, total
        mask_digest = _mask_digest(hit) if suppressed else ""
        key = (str(version.folder), profile, fmt, offset, limit, mask_digest)
        with self._responses_lock:
            cached = self._responses.get(key)
            if cached is not None:
                self._responses.move_to_end(key)
        if cached is None:
            rendered = window if profile == "outreach" else render_profile(window, profile)
            body = serialize(rendered, fmt)
            cached = (body, hashlib.sha256(body).hexdigest())
            with self._responses_lock:
                self._responses[key] = cached
                while len(self._responses) > self.options.response_cache_entries:
                    self._responses.popitem(last=False)
        return cached[0], cached[1], window.num_rows, suppressed, total

    # --- push back --------------------------------------------------------------------------

    async def _body(self, request: Request) -> bytes:
        limit = self.options.max_body_bytes
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise BodyTooLarge(limit)
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise BodyTooLarge(limit)
            chunks.append(chunk)
        return b"".join(chunks)

    async def _journal_unread(self, family: str, unread: list, received_via: str, record: AuditRecord) -> dict:
        """Journal the numbers held by what could not be accepted (C07) before a refusal is sent:
        {} when there are none, else what the answer adds."""
        if not unread:
            return {}
        receipt = await run_in_threadpool(append_records, self.home, family, [], received_via=received_via,
                                          unread=unread)
        record.detail = f"{len(unread)} unread kept"
        return {"suppressed_unread": len(unread), "journal_file": receipt.name}

    async def _refuse(self, family: str, status: int, message: str, unread: list, received_via: str,
                      record: AuditRecord, **extra) -> None:
        """Raise the refusal, after journaling the numbers it leaves unread."""
        kept = await self._journal_unread(family, unread, received_via, record)
        raise HttpError(status, message, **extra, **kept)

    async def push(self, request: Request, consumer: Consumer, record: AuditRecord) -> Response:
        family = PUSH_FAMILIES[request.url.path]
        via = f"api:{consumer.name}"
        body = await self._body(request)
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()

        async def unread_body(text: str) -> list:
            # A body that cannot be read at all still suppresses every number in it (C07);
            # reading a megabyte for numbers takes about a second: off the event loop.
            numbers = await run_in_threadpool(numbers_held, text)
            return [tuple(sorted(numbers))] if numbers else []

        try:
            text = body.decode("utf-8-sig")
        except UnicodeDecodeError:
            await self._refuse(family, 400, "the body is not UTF-8", await unread_body(body.decode("utf-8", "replace")),
                               via, record)
        if content_type in ("text/csv", "application/csv"):
            records, errors = parse_csv_body(text, family)
            record.format = "csv"
        else:
            record.format = "json"
            try:
                payload = json.loads(text)
            except ValueError as error:
                await self._refuse(family, 400, f"the body is not JSON (line {getattr(error, 'lineno', '?')}); send a "
                                   "JSON list of objects, or CSV with Content-Type text/csv", await unread_body(text), via,
                                   record)
            if isinstance(payload, dict):
                payload = [payload]
            if not isinstance(payload, list):
                await self._refuse(family, 400, "the JSON body must be a list of objects", await unread_body(text), via,
                                   record)
            records, errors = payload, []
        good, problems = validate_records(family, records)
        unread = unread_lines(errors + problems)
        problems = [problem.as_dict() for problem in errors + problems]
        if not good:
            await self._refuse(family, 422 if problems else 400,
                               "no record could be accepted" if problems else "the body holds no record",
                               unread, via, record, rejected=problems)
        receipt = await run_in_threadpool(append_records, self.home, family, good, received_via=via, unread=unread)
        record.rows_accepted = len(good)
        record.detail = ", ".join(filter(None, [f"{len(problems)} rejected" if problems else None,
                                                f"{len(unread)} unread kept" if unread else None])) or None
        answer = {"accepted": len(good), "rejected": problems, "journal_file": receipt.name}
        if unread:
            answer["suppressed_unread"] = len(unread)
        return JSONResponse(answer, status_code=200)

    async def twilio(self, request: Request, consumer: None, record: AuditRecord) -> Response:
        record.consumer = "twilio"
        auth_token = os.environ.get(self.options.twilio_token_env)
        if not auth_token:
            raise HttpError(503, f"the Twilio webhook is off: set {self.options.twilio_token_env} for `outreach serve`")
        wait = self.limiter.take("twilio")
        if wait is not None:
            raise HttpError(429, "rate limit exceeded", {"Retry-After": str(max(1, round(wait)))})
        body = await self._body(request)
        params = parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True)
        url = self._public_url(request)
        if not valid_twilio_signature(auth_token, url, params, request.headers.get("x-twilio-signature", "")):
            raise HttpError(403, "X-Twilio-Signature does not match")
        fields = dict(params)
        good, problems = validate_records("inbound_sms", [{
            "phone": fields.get("From", ""), "body": fields.get("Body", ""),
            "received_at": datetime.now(timezone.utc).isoformat(),
        }])
        if not good:
            await self._refuse("inbound_sms", 422, "the message has no readable sender number", unread_lines(problems),
                               "twilio", record, rejected=[p.as_dict() for p in problems])
        await run_in_threadpool(append_records, self.home, "inbound_sms", good, received_via="twilio")
        record.rows_accepted = 1
        return Response('<?xml version="1.0" encoding="UTF-8"?><Response></Response>', media_type="text/xml")

    def _public_url(self, request: Request) -> str:
        if self.options.public_url:
            base = self.options.public_url.rstrip("/")
            query = f"?{request.url.query}" if request.url.query else ""
            return f"{base}{request.url.path}{query}"
        return str(request.url)


def _mask_digest(mask: pa.ChunkedArray | pa.Array) -> str:
    """Which rows a suppression took out: the cache key of what is left."""
    digest = hashlib.sha1()
    for chunk in (mask.chunks if isinstance(mask, pa.ChunkedArray) else [mask]):
        digest.update(pc.cast(chunk, pa.uint8()).to_numpy(zero_copy_only=False).tobytes())
    return digest.hexdigest()


def _file_chunks(path: Path, size: int = 1 << 20):
    with path.open("rb") as handle:
        while block := handle.read(size):
            yield block


def create_app(home: Path, options: ServeOptions | None = None, policy_path: Path | None = None) -> Starlette:
    return OutreachApi(home, options, policy_path).app()
