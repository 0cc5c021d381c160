"""The dialer API on a real uvicorn server on 127.0.0.1, spoken to with httpx: scopes, status
codes, profiles, live suppression, Twilio signatures, durability across kill -9, and pulls
during publishes."""

from __future__ import annotations

import base64
import csv
import hashlib
import hmac
import io
import json
import os
import stat
import threading
import time
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.api_server import Server, add_consumer, member_rows, outreach, publish

NOW = datetime.now(timezone.utc).replace(microsecond=0)
TWILIO_TOKEN = "test-twilio-auth-token"


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    home = tmp_path_factory.mktemp("api_home")
    publish(home, "texts", member_rows(40), NOW)
    publish(home, "calls", member_rows(10, first=1000), NOW, channel="manual_call")
    publish(home, "old", member_rows(5, first=2000), NOW - timedelta(days=5), expires_hours=24)
    return home


@pytest.fixture(scope="module")
def tokens(home):
    return {
        "dialer": add_consumer(home, "dialer", "texts,calls,old,missing"),
        "spoke": add_consumer(home, "spoke_team", "texts", profile="spoke"),
        "thrutext": add_consumer(home, "thrutext_team", "texts", profile="thrutext"),
    }


@pytest.fixture(scope="module")
def server(home, tokens):
    server = Server(home, env={"TWILIO_AUTH_TOKEN": TWILIO_TOKEN})
    yield server
    server.stop()


def rows_of(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.text)))


def test_tokens_scope_lists_and_profiles(server, tokens, home):
    with server.client() as anonymous:
        assert anonymous.get("/v1/lists").status_code == 401
    with server.client("otr_0123456789abcdef_" + "x" * 43) as forged:
        assert forged.get("/v1/lists").status_code == 401
    with server.client(tokens["spoke"]) as spoke:
        listing = spoke.get("/v1/lists").json()
        assert [item["name"] for item in listing["lists"]] == ["texts"]
        assert listing["lists"][0]["rows"] == 40 and listing["lists"][0]["expires_at"]
        assert spoke.get("/v1/lists/calls").status_code == 403
        assert spoke.get("/v1/lists/calls/contacts").status_code == 403
        assert spoke.get("/v1/lists/texts/contacts?profile=outreach").status_code == 403
    sms_on_calls = add_consumer(home, "misrouted", "calls", profile="spoke")
    with server.client(sms_on_calls) as misrouted:
        assert misrouted.get("/v1/lists/calls/contacts").status_code == 403
    with server.client(tokens["dialer"]) as dialer:
        names = {item["name"]: item for item in dialer.get("/v1/lists").json()["lists"]}
        assert names["missing"] == {"name": "missing", "published": False}
        assert names["old"]["expired"] is True
        assert dialer.get("/v1/lists/missing/contacts").status_code == 404
        manifest = dialer.get("/v1/lists/texts").json()
        assert manifest["list"] == "texts" and manifest["row_count"] == 40


def test_outreach_profile_is_the_published_file_with_its_checksum(server, tokens, home):
    with server.client(tokens["dialer"]) as dialer:
        response = dialer.get("/v1/lists/calls/contacts")
    assert response.status_code == 200
    manifest = json.loads((home / "published" / "calls" / response.headers["x-outreach-version"] / "manifest.json").read_text())
    assert response.headers["etag"] == f'"{manifest["files"]["contacts.csv"]["sha256"]}"'
    assert int(response.headers["content-length"]) == manifest["files"]["contacts.csv"]["bytes"]
    assert hashlib.sha256(response.content).hexdigest() == manifest["files"]["contacts.csv"]["sha256"]
    assert response.headers["x-outreach-suppressed-live"] == "0"


def test_formats_and_export_profiles(server, tokens):
    with server.client(tokens["dialer"]) as dialer:
        parquet = dialer.get("/v1/lists/calls/contacts?format=parquet")
        jsonl = dialer.get("/v1/lists/calls/contacts?format=jsonl")
        assert dialer.get("/v1/lists/calls/contacts?format=xlsx").status_code == 400
    assert pq.read_table(io.BytesIO(parquet.content)).num_rows == 10
    assert len([json.loads(line) for line in jsonl.text.splitlines()]) == 10
    with server.client(tokens["spoke"]) as spoke:
        response = spoke.get("/v1/lists/texts/contacts")
    assert response.status_code == 200
    rows = rows_of(response)
    assert len(rows) == 40
    assert {"firstName", "lastName", "cell", "zip", "external_id"} <= set(rows[0])
    assert {row["firstName"] for row in rows} == {"Lori", "O'Brien", "Ann-Marie", "José"}
    assert all(row["zip"] == "27601" for row in rows)
    # Data minimization: a texting vendor gets no voter-file id, no score, no other person's fields.
    assert not {"voter_id", "score", "contact_id", "phone_e164", "first_name"} & set(rows[0])
    with server.client(tokens["thrutext"]) as thrutext:
        header = next(csv.reader(io.StringIO(thrutext.get("/v1/lists/texts/contacts").text)))
    assert "phone" in [column.lower() for column in header]


def test_expired_version_answers_410_with_its_expiry(server, tokens):
    with server.client(tokens["dialer"]) as dialer:
        response = dialer.get("/v1/lists/old/contacts")
    assert response.status_code == 410
    assert response.json()["expired_at"] == response.headers["x-outreach-expired-at"]
    assert datetime.fromisoformat(response.json()["expired_at"]) < NOW


def _phones(response) -> set[str]:
    return {row["phone_e164"] for row in rows_of(response)}


def test_pushed_opt_outs_disappear_from_the_next_pull(server, tokens, home):
    with server.client(tokens["dialer"]) as dialer:
        before = dialer.get("/v1/lists/texts/contacts")
        phones = sorted(_phones(before))
        target, wrong, replied, csv_target = phones[0], phones[1], phones[2], phones[3]
        # The same number written another way is the same number.
        spelled = f"({target[2:5]}) {target[5:8]}-{target[8:]}"
        accepted = dialer.post("/v1/opt-outs", json=[{"phone": spelled, "channel": "sms", "source": "dialer"}])
        pushed_at = time.monotonic()
        after = dialer.get("/v1/lists/texts/contacts")
        elapsed = time.monotonic() - pushed_at
        assert accepted.status_code == 200 and accepted.json()["accepted"] == 1
        assert target not in _phones(after) and len(_phones(after)) == 39
        assert after.headers["x-outreach-suppressed-live"] == "1"
        assert elapsed < 1.0
        assert after.headers["etag"] != before.headers["etag"]

        assert dialer.post("/v1/dispositions", json=[{"phone": wrong, "channel": "p2p_sms", "disposition": "Wrong-Number",
                                                      "caller_entity": "x"}]).status_code == 200
        assert dialer.post("/v1/inbound-sms", json=[{"phone": replied, "body": "  Stop please"}]).status_code == 200
        body = f"phone,received_at,channel,source,reason\n{csv_target},{NOW.isoformat()},all,dialer,asked\n"
        assert dialer.post("/v1/opt-outs", content=body, headers={"Content-Type": "text/csv"}).status_code == 200
        served = _phones(dialer.get("/v1/lists/texts/contacts"))
        assert not {target, wrong, replied, csv_target} & served and len(served) == 36
        # A reply that is not an opt-out suppresses nothing.
        assert dialer.post("/v1/inbound-sms", json=[{"phone": phones[4], "body": "yes, count me in"}]).status_code == 200
        assert phones[4] in _phones(dialer.get("/v1/lists/texts/contacts"))

        bad = dialer.post("/v1/opt-outs", json=[{"phone": "not a number"}, {"channel": "sms"}])
        assert bad.status_code == 422
        assert [problem for problem in bad.json()["rejected"] if "not a number" in json.dumps(problem)] == []
        assert dialer.post("/v1/opt-outs", content=b"{", headers={"Content-Type": "application/json"}).status_code == 400
    with server.client(tokens["spoke"]) as spoke:
        cells = {row["cell"] for row in rows_of(spoke.get("/v1/lists/texts/contacts"))}
    assert not {p[-10:] for p in (target, wrong, replied, csv_target)} & {c[-10:] for c in cells}

    journal = home / "ledger" / "journal"
    files = [p for p in journal.rglob("*.csv")]
    assert files and all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in files)


def test_what_cannot_be_accepted_still_suppresses_the_numbers_it_holds(server, tokens, home):
    """Fail closed (C07): a pushed opt-out the API refuses is told to the sender AND its numbers
    are journaled as an unreadable line before the answer, so a sender that ignores the answer
    loses nothing; a refusal that holds no number journals nothing."""
    journal = home / "ledger" / "journal"
    with server.client(tokens["dialer"]) as dialer:
        phones = sorted(_phones(dialer.get("/v1/lists/texts/contacts")))
        floated, labelled, headerless, not_json, beside, cut = (phones[-1], phones[-2], phones[-3], phones[-4],
                                                                phones[-5], phones[-6])
        files_before = set(journal.rglob("*.csv"))
        assert dialer.post("/v1/opt-outs", json=[{"phone": "not a number"}, {"channel": "sms"}]).status_code == 422
        assert set(journal.rglob("*.csv")) == files_before

        # A spreadsheet's float beside a good record: the good one accepted, the float kept as unread.
        mixed = dialer.post("/v1/opt-outs", json=[{"phone": float(floated[2:]), "channel": "sms"}, {"phone": beside}])
        # Refused as a whole, each still journaled before the answer.
        refusals = [
            dialer.post("/v1/opt-outs", json=[{"phone": f"{labelled[2:5]}-{labelled[5:8]}-{labelled[8:]} (cell)"}]),
            dialer.post("/v1/opt-outs", content=f"number,received_at\n{headerless[2:]},{NOW.isoformat()}\n",
                        headers={"Content-Type": "text/csv"}),
            dialer.post("/v1/opt-outs", content=f"{not_json[2:]}\n", headers={"Content-Type": "application/json"}),
            # The 101st bad record is only counted in the answer; its number still suppresses.
            dialer.post("/v1/opt-outs", json=[{"phone": "nothing here"}] * 100 + [{"phone": f"{cut[2:]}.0"}]),
        ]
        served = _phones(dialer.get("/v1/lists/texts/contacts"))
        assert not {floated, labelled, headerless, not_json, cut} & served
        assert beside not in served and len(served) == len(phones) - 6
        assert mixed.status_code == 200
        assert mixed.json()["accepted"] == 1 and len(mixed.json()["rejected"]) == 1
        assert mixed.json()["suppressed_unread"] == 1
        assert [r.status_code for r in refusals] == [422, 422, 400, 422]
        assert all(r.json()["suppressed_unread"] == 1 and r.json()["journal_file"] for r in refusals)
        for answer in [mixed, *refusals]:
            assert not any(p[2:] in answer.text for p in phones), "an answer holds a number"
    written = set(journal.rglob("*.csv")) - files_before
    assert len(written) == 5 and all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in written)
    # Only the numbers are kept of what was refused: no label, no other value.
    assert not any(b"cell" in p.read_bytes() for p in written)


def _twilio_signature(url: str, params: dict) -> str:
    data = url + "".join(f"{key}{params[key]}" for key in sorted(params))
    return base64.b64encode(hmac.new(TWILIO_TOKEN.encode(), data.encode(), hashlib.sha1).digest()).decode()


def test_twilio_webhook_checks_the_signature(server, tokens):
    with server.client(tokens["dialer"]) as dialer:
        phones = sorted(_phones(dialer.get("/v1/lists/calls/contacts")))
    url = f"{server.url}/v1/webhooks/twilio/sms"
    params = {"From": phones[0], "To": "+19195550100", "Body": "STOP", "MessageSid": "SM" + "0" * 32}
    with server.client() as twilio:
        forged = twilio.post(url, content=urlencode(params), headers={
            "Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": _twilio_signature(url, {**params, "Body": "hi"})})
        assert forged.status_code == 403
        assert twilio.post(url, content=urlencode(params), headers={"Content-Type": "application/x-www-form-urlencoded"}).status_code == 403
    with server.client(tokens["dialer"]) as dialer:
        assert phones[0] in _phones(dialer.get("/v1/lists/calls/contacts"))
    with server.client() as twilio:
        signed = twilio.post(url, content=urlencode(params), headers={
            "Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": _twilio_signature(url, params)})
    assert signed.status_code == 200 and "<Response>" in signed.text
    with server.client(tokens["dialer"]) as dialer:
        assert phones[0] not in _phones(dialer.get("/v1/lists/calls/contacts"))


def test_cursor_pages_stay_on_one_version(server, tokens):
    with server.client(tokens["dialer"]) as dialer:
        whole = dialer.get("/v1/lists/calls/contacts")
        first = dialer.get("/v1/lists/calls/contacts?limit=4")
        pages, cursor = [first], first.headers.get("x-outreach-next-cursor")
        while cursor:
            page = dialer.get(f"/v1/lists/calls/contacts?limit=4&cursor={cursor}")
            pages.append(page)
            cursor = page.headers.get("x-outreach-next-cursor")
        assert dialer.get("/v1/lists/calls/contacts?cursor=bogus").status_code == 400
    assert [row for page in pages for row in rows_of(page)] == rows_of(whole)
    assert {page.headers["x-outreach-version"] for page in pages} == {whole.headers["x-outreach-version"]}


def test_audit_records_every_request_without_numbers_or_tokens(server, tokens, home):
    with server.client(tokens["dialer"]) as dialer:
        dialer.get("/v1/lists/texts/contacts")
    done = outreach("audit", "--home", str(home))
    assert done.returncode == 0
    assert "dialer" in done.stdout and "/v1/lists/{name}/contacts" in done.stdout and " 401 " in done.stdout
    for token in tokens.values():
        assert token not in done.stdout
    assert "+1919" not in done.stdout and "919200" not in done.stdout
    only = outreach("audit", "--home", str(home), "--consumer", "spoke_team")
    assert "dialer" not in only.stdout and "spoke_team" in only.stdout
    audit_bytes = (home / "api" / "audit.sqlite3").read_bytes()
    assert b"+1919" not in audit_bytes and tokens["dialer"].encode() not in audit_bytes
    import sqlite3

    con = sqlite3.connect(home / "api" / "audit.sqlite3")
    with pytest.raises(sqlite3.DatabaseError):
        con.execute("delete from audit")
    con.close()


def test_consumer_store_keeps_only_salted_hashes(home, tokens):
    text = (home / "api" / "consumers.json").read_text()
    for token in tokens.values():
        # otr_<id>_<secret>; the secret is base64url, so it may hold "_" itself.
        assert token not in text and token.split("_", 2)[2] not in text
    assert stat.S_IMODE((home / "api" / "consumers.json").stat().st_mode) == 0o600
    listing = outreach("consumers", "list", "--home", str(home))
    assert "spoke_team" in listing.stdout and "otr_" not in listing.stdout
    assert outreach("consumers", "add", "dialer", "--home", str(home), "--lists", "x").returncode == 2
    assert outreach("consumers", "add", "bad name", "--home", str(home), "--lists", "x").returncode == 2
    assert outreach("consumers", "add", "p", "--home", str(home), "--lists", "x", "--profile", "nope").returncode == 2


def test_revoke_and_rotate_take_effect_at_once(server, home):
    token = add_consumer(home, "temporary", "calls")
    with server.client(token) as client:
        assert client.get("/v1/lists").status_code == 200
        assert outreach("consumers", "rotate", "temporary", "--home", str(home)).returncode == 0
        assert client.get("/v1/lists").status_code == 401
    rotated = outreach("consumers", "rotate", "temporary", "--home", str(home)).stdout.strip().splitlines()[-1]
    with server.client(rotated) as client:
        assert client.get("/v1/lists").status_code == 200
        assert outreach("consumers", "revoke", "temporary", "--home", str(home)).returncode == 0
        assert client.get("/v1/lists").status_code == 401


def test_body_limit_and_rate_limit(home, tokens):
    server = Server(home, "--max-body-bytes", "2048", "--rate-limit", "10")
    try:
        with server.client(tokens["dialer"]) as dialer:
            big = [{"phone": "+19192000001", "reason": "x" * 100}] * 40
            assert dialer.post("/v1/opt-outs", json=big).status_code == 413
            statuses = [dialer.get("/v1/lists").status_code for _ in range(6)]
        assert 429 in statuses and statuses[0] == 200
        with server.client(tokens["spoke"]) as spoke:      # the limit is per consumer
            assert spoke.get("/v1/lists").status_code == 200
    finally:
        server.stop()


def test_an_accepted_opt_out_survives_kill_9(tmp_path):
    home = tmp_path / "home"
    publish(home, "texts", member_rows(12), NOW)
    token = add_consumer(home, "dialer", "texts")
    server = Server(home)
    try:
        with server.client(token) as dialer:
            target = sorted(_phones(dialer.get("/v1/lists/texts/contacts")))[5]
            response = dialer.post("/v1/opt-outs", json=[{"phone": target}])
        assert response.status_code == 200
    finally:
        server.kill()
    again = Server(home)
    try:
        with again.client(token) as dialer:
            served = dialer.get("/v1/lists/texts/contacts")
        assert served.status_code == 200
        assert target not in _phones(served) and len(_phones(served)) == 11
    finally:
        again.stop()


def test_pulls_during_publishes_never_mix_versions(tmp_path):
    home = tmp_path / "home"
    publish(home, "busy", member_rows(300, marker="v0"), NOW)
    token = add_consumer(home, "dialer", "busy")
    server = Server(home, "--rate-limit", "1000000")
    stop = threading.Event()
    errors = []

    def publisher():
        index = 1
        while not stop.is_set() and index < 40:
            try:
                publish(home, "busy", member_rows(300 + index, marker=f"v{index}"), NOW)
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)
            index += 1

    thread = threading.Thread(target=publisher)
    thread.start()
    seen = set()
    try:
        with server.client(token) as dialer:
            while thread.is_alive():
                for query in ("", "?format=jsonl", "?limit=100"):
                    response = dialer.get(f"/v1/lists/busy/contacts{query}")
                    assert response.status_code == 200
                    if "jsonl" in query:
                        markers = {json.loads(line)["segment"] for line in response.text.splitlines()}
                        count = len(response.text.splitlines())
                    else:
                        rows = rows_of(response)
                        markers, count = {row["segment"] for row in rows}, len(rows)
                    assert len(markers) == 1
                    marker = markers.pop()
                    expected = 300 + int(marker[1:])
                    assert count == (min(100, expected) if "limit" in query else expected)
                    seen.add(marker)
    finally:
        stop.set()
        thread.join()
        server.stop()
    assert not errors and len(seen) > 1


def test_tls_with_certfile_and_keyfile(home, tokens, tmp_path):
    import subprocess

    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    server = Server(home, "--certfile", str(cert), "--keyfile", str(key), scheme="https", verify=str(cert))
    try:
        with server.client(tokens["dialer"]) as dialer:
            assert dialer.get("/v1/lists").status_code == 200
        import httpx

        with pytest.raises(httpx.HTTPError):      # plain HTTP is not spoken on the TLS port
            httpx.get(f"http://127.0.0.1:{server.port}/healthz", timeout=5)
    finally:
        server.stop()
