"""HTTP sources against a real HTTP server on 127.0.0.1 that the tests start and script.

Each test gives the server an `app(request) -> Reply` and reads back what was requested.
Sleeping is injected (recorded, never slept), so backoff and polling cost no time."""

from __future__ import annotations

import base64
import csv
import io
import json
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from assets.http_sources import (
    AuthenticationFailed,
    HttpSourceError,
    HttpSourcesFailed,
    MissingCredentialError,
    SourcesConfigError,
    load_sources_config,
    pull_http_sources,
)
from assets.http_sources.retry import RetryPolicy, retry_after_seconds, send_with_retry

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
TOKEN = "mobilize-secret-token-7f3a"
AB_UUID, AB_SECRET = "ab-client-uuid-1111", "ab-client-secret-2222"
DNC_USER, DNC_PASSWORD = "san-12345", "dnc-password-3333"
ORG = 1234
ATTENDANCES = f"/v1/organizations/{ORG}/attendances"


# --- the server -------------------------------------------------------------------------

@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes


@dataclass
class Reply:
    status: int = 200
    body: bytes | str | dict = b""
    headers: dict[str, str] = field(default_factory=dict)
    claimed_length: int | None = None  # announce more bytes than sent, then hang up


class ScriptedServer:
    def __init__(self):
        self.requests: list[Seen] = []
        self.app = lambda request: Reply(404, b"no app")
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                self._answer()

            def do_POST(self):
                self._answer()

            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                parts = urlsplit(self.path)
                seen = Seen(self.command, parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()},
                            {k.lower(): v for k, v in self.headers.items()}, self.rfile.read(length))
                server.requests.append(seen)
                reply = server.app(seen)
                body = reply.body
                if isinstance(body, dict):
                    body = json.dumps(body).encode()
                    reply.headers.setdefault("Content-Type", "application/json")
                elif isinstance(body, str):
                    body = body.encode()
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(reply.claimed_length or len(body)))
                if reply.claimed_length:
                    self.send_header("Connection", "close")
                    self.close_connection = True
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_port}"
        # A short poll interval: shutdown() waits for the next poll, at the default 0.5 s per test.
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    def paths(self, method: str | None = None) -> list[str]:
        return [r.path for r in self.requests if method is None or r.method == method]


@pytest.fixture
def server():
    scripted = ScriptedServer()
    scripted.thread.start()
    yield scripted
    scripted.httpd.shutdown()
    scripted.httpd.server_close()


@pytest.fixture
def env(monkeypatch):
    for name, value in {"MOBILIZE_API_TOKEN": TOKEN, "ACTBLUE_CLIENT_UUID": AB_UUID, "ACTBLUE_CLIENT_SECRET": AB_SECRET,
                        "DNC_USERNAME": DNC_USER, "DNC_PASSWORD": DNC_PASSWORD}.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def dirs(tmp_path) -> tuple[Path, Path]:
    home, inbox = tmp_path / "home", tmp_path / "inbox"
    home.mkdir()
    inbox.mkdir()
    return home, inbox


class Sleeps(list):
    """An injected sleep that records instead of sleeping."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def write_sources(home: Path, base: str, *, mobilize=True, actblue=False, dnc=False, dnc_auth=True) -> None:
    text = ""
    if mobilize:
        text += f"mobilize:\n  base_url: {base}/v1\n  organization_id: {ORG}\n  token_env: MOBILIZE_API_TOKEN\n  per_page: 2\n"
    if actblue:
        text += (f"actblue:\n  base_url: {base}/api/v1\n  client_uuid_env: ACTBLUE_CLIENT_UUID\n"
                 "  client_secret_env: ACTBLUE_CLIENT_SECRET\n  csv_type: paid_contributions\n  start_date: 2026-01-01\n")
    if dnc:
        text += f"dnc_federal:\n  url: {base}/dnc/full.txt\n"
        if dnc_auth:
            text += "  username_env: DNC_USERNAME\n  password_env: DNC_PASSWORD\n"
    (home / "sources.yaml").write_text(text)


def inbox_files(inbox: Path) -> list[str]:
    """Every file under the inbox, hidden ones included: a failed pull must leave none."""
    return sorted(p.relative_to(inbox).as_posix() for p in inbox.rglob("*") if p.is_file())


def state(home: Path) -> dict:
    path = home / "state" / "http_sources.json"
    return json.loads(path.read_text()) if path.exists() else {}


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


# --- recorded-style bodies -------------------------------------------------------------

def attendance(number: int, modified: int) -> dict:
    return {
        "id": 90000 + number, "created_date": 1767225600, "modified_date": modified, "status": "REGISTERED", "attended": None,
        "person": {"id": 500 + number, "user_id": 500 + number, "given_name": f"Given{number}", "family_name": f"Family{number}",
                   "email_addresses": [{"primary": True, "address": f"v{number}@example.org"}],
                   "phone_numbers": [{"primary": True, "number": f"91955501{number:02d}"}],
                   "postal_addresses": [{"primary": True, "postal_code": "27601"}], "sms_opt_in_status": "OPT_IN"},
        "event": {"id": 77, "title": "Saturday canvass", "event_type": "CANVASS"},
        "timeslot": {"id": 3, "start_date": 1772892000, "end_date": 1772902800},
        "sponsor": {"id": ORG}, "referrer": {"utm_source": None, "url": None}, "custom_signup_field_values": [],
    }


def mobilize_page(server: ScriptedServer, records: list[dict], next_cursor: str | None, previous: str | None = None) -> bytes:
    def link(cursor):
        return None if cursor is None else f"{server.base}{ATTENDANCES}?cursor={cursor}&per_page=2"
    # Served byte for byte; the pull must keep exactly these bytes.
    return json.dumps({"count": 5, "next": link(next_cursor), "previous": link(previous), "data": records, "error": None},
                      indent=1).encode()


def three_page_app(server: ScriptedServer, pages: dict[str | None, bytes]):
    def app(request: Seen) -> Reply:
        if request.path != ATTENDANCES:
            return Reply(404, {"error": {"detail": "Not found."}, "data": None})
        return Reply(200, pages[request.query.get("cursor")], {"Content-Type": "application/json"})
    return app


def three_pages(server) -> dict[str | None, bytes]:
    return {
        None: mobilize_page(server, [attendance(1, 1772300000), attendance(2, 1772300100)], "cD0y"),
        "cD0y": mobilize_page(server, [attendance(3, 1772300200), attendance(4, 1772300300)], "cD0z", "cD0x"),
        "cD0z": mobilize_page(server, [attendance(5, 1772300400)], None, "cD0y"),
    }


ACTBLUE_HEADER = (
    "Receipt ID,Date,Amount,Recurring Total Months,Recurrence Number,Recipient,Fundraising Page,Fundraising Partner,"
    "Reference Code 2,Reference Code,Donor First Name,Donor Last Name,Donor Addr1,Donor Addr2,Donor City,Donor State,"
    "Donor ZIP,Donor Country,Donor Occupation,Donor Employer,Donor Email,Donor Phone,New Express Signup,Comments,"
    "Reserved,Lineitem ID,Reserved,Text Message Opt In"
)


def actblue_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    header = ACTBLUE_HEADER.split(",")
    writer.writerow(header)
    for n, comment in enumerate(["", "Go team,\nsee you Saturday", ""], start=1):
        row = dict.fromkeys(header, "")
        row.update({"Receipt ID": f"AB39207300{n}", "Date": "2026-02-1{n} 14:03:22", "Amount": "25.00",
                    "Donor First Name": f"Donor{n}", "Donor Last Name": "Example", "Donor Phone": f"(919) 555-02{n:02d}",
                    "Comments": comment, "Text Message Opt In": "true"})
        writer.writerow([row[name] for name in header])
    return out.getvalue().encode()


DNC_BODY = b"2025550101\n202,5550102\n9195550103\n\n919,5550104\r\n"


# --- Mobilize ---------------------------------------------------------------------------

def test_mobilize_follows_next_through_three_pages_and_keeps_each_page_verbatim(server, env, dirs):
    home, inbox = dirs
    write_sources(home, server.base)
    pages = three_pages(server)
    server.app = three_page_app(server, pages)
    logged: list[str] = []

    result = pull_http_sources(home, inbox, now=NOW, sleep=Sleeps(), log=logged.append)

    assert result["mobilize"]["pages"] == 3 and result["mobilize"]["records"] == 5
    stamp = "20260301T120000Z"
    assert inbox_files(inbox) == [f"volunteers/mobilize_{stamp}_{n:04d}.json" for n in (1, 2, 3)]
    for n, cursor in enumerate([None, "cD0y", "cD0z"], start=1):
        assert (inbox / f"volunteers/mobilize_{stamp}_{n:04d}.json").read_bytes() == pages[cursor]
    first = server.requests[0]
    assert first.headers["authorization"] == f"Bearer {TOKEN}"
    assert first.query == {"per_page": "2"}  # first pull ever: no updated_since
    assert [r.query.get("cursor") for r in server.requests] == [None, "cD0y", "cD0z"]
    assert all(r.headers["authorization"] == f"Bearer {TOKEN}" for r in server.requests)
    cursor = state(home)[f"mobilize:{ORG}"]
    assert cursor["updated_since"] == int((NOW - timedelta(minutes=10)).timestamp())  # pull start minus overlap
    assert logged == ["mobilize: 3 pages, 5 attendances, 3 files (full pull)"]


def test_mobilize_waits_out_a_429_with_retry_after_then_succeeds(server, env, dirs):
    home, inbox = dirs
    write_sources(home, server.base)
    pages = three_pages(server)
    served = three_page_app(server, pages)
    throttled = []

    def app(request):
        if request.query.get("cursor") == "cD0y" and not throttled:
            throttled.append(request)
            return Reply(429, {"error": {"detail": "Request was throttled."}, "data": None}, {"Retry-After": "7"})
        return served(request)

    server.app = app
    sleeps = Sleeps()
    logged: list[str] = []
    result = pull_http_sources(home, inbox, now=NOW, sleep=sleeps, log=logged.append)

    assert sleeps == [7.0]
    assert result["mobilize"]["pages"] == 3
    assert [r.query.get("cursor") for r in server.requests] == [None, "cD0y", "cD0y", "cD0z"]
    assert any("HTTP 429" in line and "retry 2/6 in 7.0 s" in line for line in logged)


def test_mobilize_backs_off_after_a_500_then_succeeds(server, env, dirs):
    home, inbox = dirs
    write_sources(home, server.base)
    served = three_page_app(server, three_pages(server))
    failed = []

    def app(request):
        if not failed:
            failed.append(request)
            return Reply(500, "<html>Internal Server Error</html>", {"Content-Type": "text/html"})
        return served(request)

    server.app = app
    sleeps = Sleeps()
    result = pull_http_sources(home, inbox, now=NOW, sleep=sleeps, log=lambda line: None)

    assert len(sleeps) == 1 and 0 <= sleeps[0] <= RetryPolicy().base_delay  # full jitter, first attempt
    assert result["mobilize"]["records"] == 5
    assert len(inbox_files(inbox)) == 3


def test_second_pull_sends_the_saved_cursor_and_fetches_only_what_changed(server, env, dirs):
    home, inbox = dirs
    write_sources(home, server.base)
    server.app = three_page_app(server, three_pages(server))
    pull_http_sources(home, inbox, now=NOW, sleep=Sleeps(), log=lambda line: None)
    saved = state(home)[f"mobilize:{ORG}"]["updated_since"]

    later = NOW + timedelta(days=1)
    changed = mobilize_page(server, [attendance(2, int(later.timestamp()) - 3600)], None)

    def incremental(request):
        since = int(request.query["updated_since"])
        return Reply(200, changed if since == saved else b'{"data": [], "next": null}', {"Content-Type": "application/json"})

    server.requests.clear()
    server.app = incremental
    result = pull_http_sources(home, inbox, now=later, sleep=Sleeps(), log=lambda line: None)

    assert [r.query for r in server.requests] == [{"per_page": "2", "updated_since": str(saved)}]
    assert result["mobilize"] == {"pages": 1, "records": 1, "files": ["mobilize_20260302T120000Z_0001.json"],
                                  "updated_since": saved, "next_updated_since": int((later - timedelta(minutes=10)).timestamp())}
    assert (inbox / "volunteers/mobilize_20260302T120000Z_0001.json").read_bytes() == changed
    assert state(home)[f"mobilize:{ORG}"]["updated_since"] == result["mobilize"]["next_updated_since"]


def test_a_403_midway_fails_clearly_writes_nothing_and_keeps_the_cursor(server, env, dirs):
    home, inbox = dirs
    write_sources(home, server.base)
    server.app = three_page_app(server, three_pages(server))
    pull_http_sources(home, inbox, now=NOW, sleep=Sleeps(), log=lambda line: None)
    files_before, state_before = inbox_files(inbox), (home / "state/http_sources.json").read_bytes()

    # The key is revoked while the second pull is paging: page 1 arrives, page 2 is refused.
    first_page = mobilize_page(server, [attendance(6, 1772400000), attendance(7, 1772400001)], "cD0y")
    server.app = lambda request: (Reply(200, first_page) if "cursor" not in request.query
                                  else Reply(403, {"error": {"detail": "Invalid API key."}, "data": None}))
    logged: list[str] = []
    sleeps = Sleeps()
    with pytest.raises(HttpSourcesFailed) as failed:
        pull_http_sources(home, inbox, now=NOW + timedelta(days=1), sleep=sleeps, log=logged.append)

    error = failed.value.failures["mobilize"]
    assert isinstance(error, AuthenticationFailed)
    assert str(error).startswith("authentication failed for mobilize: check MOBILIZE_API_TOKEN")
    assert sleeps == []  # a refused key is not retried
    assert TOKEN not in str(failed.value) and not any(TOKEN in line for line in logged)
    assert "cursor=" not in str(error)  # query strings stay out of messages
    assert inbox_files(inbox) == files_before
    assert (home / "state/http_sources.json").read_bytes() == state_before


def test_mobilize_refuses_a_next_link_to_another_host(server, env, dirs):
    home, inbox = dirs
    write_sources(home, server.base)
    page = json.dumps({"data": [attendance(1, 1)], "next": "https://elsewhere.example/v1/x?cursor=a"}).encode()
    server.app = lambda request: Reply(200, page)
    with pytest.raises(HttpSourcesFailed, match="refusing to send the token"):
        pull_http_sources(home, inbox, now=NOW, sleep=Sleeps(), log=lambda line: None)
    assert inbox_files(inbox) == [] and state(home) == {}


# --- ActBlue ----------------------------------------------------------------------------

def actblue_app(server: ScriptedServer, *, in_progress_polls: int, expired_downloads: int = 0, body: bytes | None = None):
    """POST csvs -> id; GET csvs/<id> in progress N times, then a download link."""
    body = actblue_csv() if body is None else body
    polls: dict[str, int] = {}
    downloads = {"expired_left": expired_downloads}

    def app(request):
        if request.method == "POST" and request.path == "/api/v1/csvs":
            report_id = f"r{len(polls) + 1}"
            polls[report_id] = 0
            return Reply(201, {"id": report_id})
        if request.method == "GET" and request.path.startswith("/api/v1/csvs/"):
            report_id = request.path.rsplit("/", 1)[1]
            polls[report_id] += 1
            if polls[report_id] <= in_progress_polls:
                return Reply(200, {"id": report_id, "status": "in_progress", "download_url": None})
            link = f"{server.base}/downloads/{report_id}.csv?X-Amz-Signature=abc123&X-Amz-Expires=600"
            return Reply(200, {"id": report_id, "status": "complete", "download_url": link})
        if request.path.startswith("/downloads/"):
            if downloads["expired_left"]:
                downloads["expired_left"] -= 1
                return Reply(410, "<Error><Code>Expired</Code></Error>", {"Content-Type": "application/xml"})
            return Reply(200, body, {"Content-Type": "text/csv"})
        return Reply(404, b"")

    return app


def test_actblue_creates_polls_and_downloads_the_report(server, env, dirs):
    home, inbox = dirs
    write_sources(home, server.base, mobilize=False, actblue=True)
    server.app = actblue_app(server, in_progress_polls=2)
    sleeps = Sleeps()
    logged: list[str] = []

    result = pull_http_sources(home, inbox, now=NOW, sleep=sleeps, log=logged.append)

    name = "actblue_paid_contributions_2026-01-01_2026-03-01.csv"
    assert inbox_files(inbox) == [f"donations/{name}"]
    assert (inbox / "donations" / name).read_bytes() == actblue_csv()
    assert result["actblue"] == {"start": "2026-01-01", "end": "2026-03-01", "rows": 3, "file": name, "up_to_date": False}
    create = server.requests[0]
    assert (create.method, create.path) == ("POST", "/api/v1/csvs")
    assert json.loads(create.body) == {"csv_type": "paid_contributions", "date_range_start": "2026-01-01", "date_range_end": "2026-03-01"}
    assert create.headers["authorization"] == basic(AB_UUID, AB_SECRET)
    assert server.paths("GET") == ["/api/v1/csvs/r1"] * 3 + ["/downloads/r1.csv"]
    assert "authorization" not in server.requests[-1].headers  # the signed link gets no credentials
    assert sleeps == [5.0, 5.0]  # between polls only
    assert state(home)["actblue:paid_contributions"]["next_start"] == "2026-03-01"
    assert logged == [f"actblue: 3 contributions for 2026-01-01 to 2026-03-01 (end exclusive) -> donations/{name}"]

    # The next pull starts where this one ended; on the same day there is nothing to ask for.
    server.requests.clear()
    again = pull_http_sources(home, inbox, now=NOW + timedelta(hours=3), sleep=sleeps, log=logged.append)
    assert again["actblue"]["up_to_date"] and server.requests == []


def test_actblue_expired_download_link_gets_one_fresh_report(server, env, dirs):
    home, inbox = dirs
    write_sources(home, server.base, mobilize=False, actblue=True)
    server.app = actblue_app(server, in_progress_polls=0, expired_downloads=1)
    logged: list[str] = []

    result = pull_http_sources(home, inbox, now=NOW, sleep=Sleeps(), log=logged.append)

    assert server.paths("POST") == ["/api/v1/csvs", "/api/v1/csvs"]
    assert server.paths("GET")[-1] == "/downloads/r2.csv"
    assert result["actblue"]["rows"] == 3
    assert "actblue: the download link had expired; asking for a fresh report" in logged
    assert not any("X-Amz-Signature" in line for line in logged)


def test_actblue_link_expired_twice_fails_and_keeps_the_cursor(server, env, dirs):
    home, inbox = dirs
    write_sources(home, server.base, mobilize=False, actblue=True)
    server.app = actblue_app(server, in_progress_polls=0, expired_downloads=2)
    with pytest.raises(HttpSourcesFailed, match="expired again on a fresh report"):
        pull_http_sources(home, inbox, now=NOW, sleep=Sleeps(), log=lambda line: None)
    assert server.paths("POST") == ["/api/v1/csvs", "/api/v1/csvs"]
    assert inbox_files(inbox) == [] and state(home) == {}


def test_actblue_body_that_is_not_a_report_is_not_kept(server, env, dirs):
    home, inbox = dirs
    write_sources(home, server.base, mobilize=False, actblue=True)
    server.app = actblue_app(server, in_progress_polls=0, body=b"<html><body>Sign in to ActBlue</body></html>")
    with pytest.raises(HttpSourcesFailed, match="not an ActBlue contributions CSV"):
        pull_http_sources(home, inbox, now=NOW, sleep=Sleeps(), log=lambda line: None)
    assert inbox_files(inbox) == [] and state(home) == {}


def test_actblue_wrong_credentials_name_both_variables(server, env, dirs):
    home, inbox = dirs
    write_sources(home, server.base, mobilize=False, actblue=True)
    server.app = lambda request: Reply(401, {"error": "unauthorized"})
    with pytest.raises(HttpSourcesFailed) as failed:
        pull_http_sources(home, inbox, now=NOW, sleep=Sleeps(), log=lambda line: None)
    message = str(failed.value)
    assert "authentication failed for actblue: check ACTBLUE_CLIENT_UUID and ACTBLUE_CLIENT_SECRET" in message
    assert AB_SECRET not in message and AB_UUID not in message


# --- federal DNC ------------------------------------------------------------------------

def test_dnc_download_is_named_by_its_last_modified_date(server, env, dirs):
    home, inbox = dirs
    write_sources(home, server.base, mobilize=False, dnc=True)
    server.app = lambda request: Reply(200, DNC_BODY, {"Content-Type": "text/plain", "Last-Modified": "Sat, 28 Feb 2026 06:00:00 GMT"})
    logged: list[str] = []

    result = pull_http_sources(home, inbox, now=NOW, sleep=Sleeps(), log=logged.append)

    assert inbox_files(inbox) == ["dnc/federal/dnc_full_20260228.txt"]
    assert (inbox / "dnc/federal/dnc_full_20260228.txt").read_bytes() == DNC_BODY
    assert result["dnc_federal"] == {"numbers": 4, "file": "dnc_full_20260228.txt", "snapshot_date": "2026-02-28"}
    assert server.requests[0].headers["authorization"] == basic(DNC_USER, DNC_PASSWORD)
    assert logged == ["dnc_federal: 4 numbers, snapshot 2026-02-28 -> dnc/federal/dnc_full_20260228.txt"]


def test_dnc_without_last_modified_is_dated_today_and_needs_no_auth(server, env, dirs):
    home, inbox = dirs
    write_sources(home, server.base, mobilize=False, dnc=True, dnc_auth=False)
    server.app = lambda request: Reply(200, b"9195550103")  # no trailing newline is still a whole line
    result = pull_http_sources(home, inbox, now=NOW, sleep=Sleeps(), log=lambda line: None)
    assert result["dnc_federal"]["file"] == "dnc_full_20260301.txt" and result["dnc_federal"]["numbers"] == 1
    assert "authorization" not in server.requests[0].headers


@pytest.mark.parametrize("reply, reason", [
    (Reply(200, "<!DOCTYPE html><html><body>Session expired, please log in</body></html>"), "HTML or XML page"),
    (Reply(200, b"2025550101\n2025550102\n20255"), "line 3 of the download is not a phone number"),
    (Reply(200, b"2025550101\nNOT A NUMBER\n2025550102\n"), "line 2 of the download is not a phone number"),
    (Reply(200, b"2025550101\n2025550102\n", claimed_length=5000), "broke off"),
    (Reply(200, b""), "holds no phone numbers"),
], ids=["html", "cut-line", "garbage-line", "short-body", "empty"])
def test_dnc_body_that_is_not_a_whole_list_fails_and_writes_nothing(server, env, dirs, reply, reason):
    home, inbox = dirs
    write_sources(home, server.base, mobilize=False, dnc=True)
    server.app = lambda request: reply
    with pytest.raises(HttpSourcesFailed) as failed:
        pull_http_sources(home, inbox, now=NOW, sleep=Sleeps(), log=lambda line: None)
    assert reason in str(failed.value)
    assert "nothing was written" in str(failed.value)
    assert "2025550102" not in str(failed.value)  # lines are never quoted back
    assert inbox_files(inbox) == []


# --- all sources together ---------------------------------------------------------------

def test_pulled_files_are_read_by_the_inbox_loaders(server, env, dirs):
    import duckdb

    from assets.ingest.dnc import load_dnc
    from assets.ingest.donations import load_donations
    from assets.ingest.volunteers import load_volunteers

    home, inbox = dirs
    write_sources(home, server.base, mobilize=True, actblue=True, dnc=True)
    mobilize = three_page_app(server, three_pages(server))
    actblue = actblue_app(server, in_progress_polls=1)
    dnc = Reply(200, DNC_BODY, {"Last-Modified": "Sat, 28 Feb 2026 06:00:00 GMT"})
    server.app = lambda r: mobilize(r) if r.path.startswith("/v1/") else dnc if r.path.startswith("/dnc/") else actblue(r)
    logged: list[str] = []

    result = pull_http_sources(home, inbox, now=NOW, sleep=Sleeps(), log=logged.append)

    assert set(result) == {"mobilize", "actblue", "dnc_federal"}
    with duckdb.connect() as con:
        assert sum(load.rows_loaded for load in load_volunteers(con, inbox)) == 5
        assert sum(load.rows_loaded for load in load_donations(con, inbox)) == 3
        assert sum(load.rows_loaded for load in load_dnc(con, inbox)) == 4
        assert con.execute("select count(*) from raw.quarantine").fetchone()[0] == 0
    # Counts only: no names, phone numbers, emails or secrets in what was logged.
    text = "\n".join(logged)
    for private in (TOKEN, AB_SECRET, DNC_PASSWORD, "Given1", "Donor1", "v1@example.org", "5550101", "555-02"):
        assert private not in text


def test_one_failing_source_does_not_stop_the_others(server, env, dirs):
    home, inbox = dirs
    write_sources(home, server.base, mobilize=True, dnc=True)
    server.app = lambda r: Reply(200, DNC_BODY) if r.path.startswith("/dnc/") else Reply(503, b"down", {"Retry-After": "1"})
    with pytest.raises(HttpSourcesFailed) as failed:
        pull_http_sources(home, inbox, now=NOW, sleep=Sleeps(), log=lambda line: None)
    assert set(failed.value.failures) == {"mobilize"} and "gave up after 6 attempts" in str(failed.value)
    assert failed.value.results["dnc_federal"]["numbers"] == 4
    assert inbox_files(inbox) == ["dnc/federal/dnc_full_20260301.txt"]


# --- configuration ----------------------------------------------------------------------

def test_no_sources_file_means_no_http_sources(dirs):
    home, inbox = dirs
    assert pull_http_sources(home, inbox, now=NOW) == {}
    (home / "sources.yaml").write_text("# nothing configured yet\n")
    assert load_sources_config(home).configured == []


@pytest.mark.parametrize("text, key", [
    ("mobilize: [1, 2]\n", "'mobilize'"),
    ("mobilize:\n  base_url: https://api.mobilize.us/v1\n  token_env: MOBILIZE_API_TOKEN\n", "'mobilize.organization_id'"),
    ("mobilize:\n  base_url: api.mobilize.us\n  organization_id: 1\n  token_env: T\n", "'mobilize.base_url'"),
    ("mobilize:\n  base_url: https://a.b/v1\n  organization_id: 1\n  token: abc\n", "'mobilize.token'"),
    ("actblue:\n  base_url: https://a.b\n  client_uuid_env: U\n  client_secret_env: S\n  start_date: 2026-01-01\n  csv_type: all\n",
     "'actblue.csv_type'"),
    ("actblue:\n  base_url: https://a.b\n  client_uuid_env: U\n  client_secret_env: S\n  start_date: soon\n", "'actblue.start_date'"),
    ("dnc_federal:\n  url: https://a.b/full.txt\n  username_env: U\n", "'dnc_federal.username_env'"),
    ("mobilise:\n  base_url: https://a.b\n", "'mobilise'"),
    ("mobilize: {base_url: [\n", "not valid YAML"),
])
def test_malformed_sources_file_names_the_file_and_the_key(dirs, text, key):
    home, _ = dirs
    (home / "sources.yaml").write_text(text)
    with pytest.raises(SourcesConfigError) as failed:
        load_sources_config(home)
    assert str(home / "sources.yaml") in str(failed.value) and key in str(failed.value)
    assert "abc" not in str(failed.value)


def test_missing_environment_variable_is_named_before_any_request(server, dirs, monkeypatch):
    home, inbox = dirs
    write_sources(home, server.base)
    monkeypatch.delenv("MOBILIZE_API_TOKEN", raising=False)
    with pytest.raises(MissingCredentialError, match="environment variable MOBILIZE_API_TOKEN is not set"):
        pull_http_sources(home, inbox, now=NOW, sleep=Sleeps(), log=lambda line: None)
    assert server.requests == []


# --- the retry helper -------------------------------------------------------------------

def test_retry_after_accepts_seconds_and_http_dates():
    assert retry_after_seconds("12", NOW) == 12.0
    assert retry_after_seconds("Sun, 01 Mar 2026 12:00:30 GMT", NOW) == 30.0
    assert retry_after_seconds("Sun, 01 Mar 2026 11:00:00 GMT", NOW) == 0.0  # already past
    assert retry_after_seconds("soon", NOW) is None and retry_after_seconds(None, NOW) is None


def test_retry_budget_stops_a_retry_after_that_is_too_long(server):
    server.app = lambda request: Reply(429, b"", {"Retry-After": "3600"})
    sleeps = Sleeps()
    with httpx.Client() as client, pytest.raises(HttpSourceError, match="retry budget"):
        send_with_retry(client, client.build_request("GET", f"{server.base}/x?secret=1"), source="mobilize", sleep=sleeps)
    assert sleeps == [] and len(server.requests) == 1


def test_transport_errors_are_retried_with_growing_bounded_waits():
    import socket

    with socket.socket() as probe:  # a port nobody listens on: connection refused, at once
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    policy = RetryPolicy(max_attempts=4, base_delay=1.0, max_delay=3.0)
    sleeps = Sleeps()

    class Highest:
        def uniform(self, low, high):
            return high

    with httpx.Client() as client, pytest.raises(HttpSourceError, match="ConnectError .* gave up after 4 attempts"):
        send_with_retry(client, client.build_request("GET", f"http://127.0.0.1:{port}/v1"), source="mobilize",
                        policy=policy, sleep=sleeps, rng=Highest())
    assert sleeps == [1.0, 2.0, 3.0]  # ceilings of the full-jitter draws: doubling, capped
