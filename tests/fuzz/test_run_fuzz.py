"""Fuzz, end to end: the real CLI (`outreach run`, a subprocess) over a generated inbox holding
corrupted files of several formats at once, run once for the module; then once more with a
file it must refuse.

Opt-out lines naming real voters' phones are broken in drawn ways (a NUL, a stray quote, a
field too many, a 70 KB field, random bytes): none of those numbers may be published. Voter
files come gzipped, zipped (as NC publishes its statewide file), with a 3 MB line at the end
or in the middle, with a NUL in a name; a history file comes in UTF-16; a Mobilize name holds
a NUL. The run must exit 0 or 3 with no traceback, and every file read must reconcile.
A DNC file named with an impossible date makes the next run exit 2 naming it."""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import random
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
import pytest

from expectations.facts import normalize_phone, phones_in_text

from tests.conftest import AS_OF, open_db

ROOT = Path(__file__).resolve().parents[2]
SEED = 11
BROKEN_OPT_OUTS = 12
BIG = 3_000_000


def _cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("DAGSTER_HOME", None)
    return subprocess.run([sys.executable, "-m", "orchestration.cli", *args], capture_output=True, text=True,
                          env=env, timeout=900, cwd=ROOT)


def _nc_voters(inbox: Path) -> list[dict]:
    rows = []
    for path in sorted((inbox / "voters").glob("ncvoter*.txt")):
        lines = path.read_text().splitlines()
        header = lines[0].split("\t")
        rows += [dict(zip(header, line.split("\t"))) for line in lines[1:]]
    return rows


def _break(line: str, how: str, rng: random.Random) -> str:
    """An opt-out line the reader must quarantine, its phone still readable."""
    fields = line.split(",")
    if how == "nul":
        fields[2] = fields[2] + "\x00"
    elif how == "quote":
        fields[3] = '"' + fields[3]
    elif how == "extra_field":
        fields.append("surplus")
    elif how == "long_field":
        fields[4] = fields[4] + "x" * 70_000
    elif how == "noise":
        fields[4] = fields[4] + "".join(rng.choice('\x00",;|\x7f') for _ in range(6)) + "\x00"
    return ",".join(fields)


def _zip_bytes(name: str, data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def corrupted(tmp_path_factory):
    from synthetic import generate_inbox

    rng = random.Random(SEED)
    inbox = tmp_path_factory.mktemp("inbox")
    generate_inbox(inbox, voters=400, seed=7, as_of=AS_OF)
    voters = [row for row in _nc_voters(inbox)
              if row["status_cd"] == "A" and row["confidential_ind"] == "N" and normalize_phone(row["full_phone_number"])]
    rng.shuffle(voters)
    opted, controls = voters[:BROKEN_OPT_OUTS], voters[BROKEN_OPT_OUTS:]

    # Opt-outs naming real voters, every one broken; split over a plain, a gzipped and a zipped file.
    hows = ["nul", "quote", "extra_field", "long_field", "noise"]
    broken = [_break(f"{row['full_phone_number']},2026-11-01T10:00:00-04:00,all,web_form,asked", hows[i % len(hows)], rng)
              for i, row in enumerate(opted)]
    header = "phone,received_at,channel,source,reason\n"
    plain = inbox / "opt_outs" / "opt_outs.csv"
    plain.write_text(plain.read_text() + "".join(line + "\n" for line in broken[:4]))
    (inbox / "opt_outs" / "web.csv.gz").write_bytes(gzip.compress((header + "".join(l + "\n" for l in broken[4:8])).encode()))
    (inbox / "opt_outs" / "vendor.zip").write_bytes(
        _zip_bytes("vendor.csv", (header + "".join(l + "\n" for l in broken[8:])).encode()))

    voter_files = sorted((inbox / "voters").glob("ncvoter*.txt"))
    gz, zipped, long_end, nul = voter_files[:4]
    gz.with_name(gz.name + ".gz").write_bytes(gzip.compress(gz.read_bytes()))
    gz.unlink()
    (inbox / "voters" / "ncvoter_Statewide.zip").write_bytes(_zip_bytes("ncvoter_Statewide.txt", zipped.read_bytes()))
    zipped.unlink()
    with long_end.open("ab") as handle:
        handle.write(b"x" * BIG)  # no line end either
    lines = nul.read_bytes().split(b"\n")
    fields = lines[1].split(b"\t")
    fields[5] = fields[5][:2] + b"\x00" + fields[5][2:]
    lines[1] = b"\t".join(fields)
    nul.write_bytes(b"\n".join(lines))
    florida = sorted((inbox / "voters").glob("[A-Z][A-Z][A-Z]_*.txt"))[0]
    lines = florida.read_bytes().split(b"\n")
    florida.write_bytes(b"\n".join(lines[:2] + [b"y" * BIG] + lines[2:]))
    history = sorted((inbox / "vote_history").glob("ncvhis*.txt"))[0]
    history.write_bytes(history.read_text().encode("utf-16"))
    page_path = sorted((inbox / "volunteers").glob("*.json"))[0]
    page = json.loads(page_path.read_text())
    page["data"][0]["person"]["given_name"] = "Nu\u0000ll"
    page_path.write_text(json.dumps(page))

    home = tmp_path_factory.mktemp("home")
    result = _cli("run", "--inbox", str(inbox), "--home", str(home), "--as-of", AS_OF.isoformat())
    return inbox, home, result, broken, controls


def _published(home: Path) -> dict[str, list[dict]]:
    lists = {}
    for latest in sorted((home / "published").glob("*/LATEST")):
        folder = latest.parent / latest.read_text().strip()
        with (folder / "contacts.csv").open(newline="", encoding="utf-8") as handle:
            lists[latest.parent.name] = list(csv.DictReader(handle))
    return lists


def test_the_run_finishes_without_a_traceback(corrupted):
    _, _, result, _, _ = corrupted
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout, result.stderr[-3000:]
    assert result.returncode in (0, 3), result.stdout[-3000:] + result.stderr[-3000:]


def test_every_file_read_reconciles(corrupted):
    _, home, _, _, _ = corrupted
    with open_db(home / "warehouse.duckdb") as con:
        files = dict(((source, file), (read, loaded, quarantined)) for source, file, read, loaded, quarantined in con.execute(
            "select source, _file, rows_read, rows_loaded, rows_quarantined from raw.ingest_files "
            "where skipped_reason is null").fetchall())
        reasons = con.execute("select _file, reason from raw.quarantine").fetchall()
    assert all(read == loaded + quarantined for read, loaded, quarantined in files.values())
    names = {file for _, file in files}
    assert {"opt_outs/web.csv.gz", "opt_outs/vendor.zip!vendor.csv", "voters/ncvoter_Statewide.zip!ncvoter_Statewide.txt"} <= names
    assert any(file.endswith(".txt.gz") and file.startswith("voters/") for file in names)
    over_long = [file for file, reason in reasons if "longer than max_line_bytes" in reason]
    assert len([file for file in over_long if file.startswith("voters/")]) == 2
    assert len([file for file in over_long if file.startswith("opt_outs/")]) >= 2


def test_no_number_of_a_broken_opt_out_line_is_published(corrupted):
    _, home, _, broken, controls = corrupted
    published = _published(home)
    assert published, "no list was published: the check below would be empty"
    in_lists = {row["phone_e164"] for rows in published.values() for row in rows}
    # The check can fail: voters who did not opt out are in the lists.
    assert in_lists & {normalize_phone(row["full_phone_number"]) for row in controls}
    for line in broken:
        numbers = phones_in_text(line)
        assert numbers, line[:80]
        assert not numbers & in_lists


def test_no_nul_reaches_a_published_file(corrupted):
    _, home, _, _, _ = corrupted
    for path in (home / "published").rglob("*.csv"):
        assert b"\x00" not in path.read_bytes(), path


def test_a_file_it_cannot_read_stops_the_run_naming_it(corrupted):
    inbox, home, _, _, _ = corrupted
    bad = inbox / "dnc" / "federal" / "dnc_full_20261399.txt"
    bad.write_text("9195550100\n")
    try:
        result = _cli("run", "--inbox", str(inbox), "--home", str(home), "--as-of", AS_OF.isoformat())
    finally:
        bad.unlink()
    printed = result.stdout + result.stderr
    assert result.returncode == 2, printed[-3000:]
    assert "Traceback" not in printed
    blocked = [line for line in result.stdout.splitlines() if " BLOCKED " in line]
    assert blocked and all("dnc/federal/dnc_full_20261399.txt" in line for line in blocked), result.stdout[-3000:]
