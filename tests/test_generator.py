"""The synthetic inbox writer: real files, checked against the documented formats."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import pathlib
import re

import pytest

from synthetic import generate_inbox

AS_OF = dt.datetime.fromisoformat("2026-11-28T12:00:00-05:00")
VOTERS = 3000
SEED = 11
INBOX_FOLDERS = (
    "voters", "vote_history", "donations", "volunteers", "dnc/federal", "dnc/state", "opt_outs",
    "inbound_sms", "consents", "line_types", "rnd", "contact_history", "surveys",
)
# layout_ncvoter.txt, effective 02/12/2022.
NC_COLUMNS = """
county_id county_desc voter_reg_num ncid last_name first_name middle_name name_suffix_lbl status_cd
voter_status_desc reason_cd voter_status_reason_desc res_street_address res_city_desc state_cd zip_code
mail_addr1 mail_addr2 mail_addr3 mail_addr4 mail_city mail_state mail_zipcode full_phone_number
confidential_ind registr_dt race_code ethnic_code party_cd gender_code birth_year age_at_year_end
birth_state drivers_lic precinct_abbrv precinct_desc municipality_abbrv municipality_desc ward_abbrv
ward_desc cong_dist_abbrv super_court_abbrv judic_dist_abbrv nc_senate_abbrv nc_house_abbrv
county_commiss_abbrv county_commiss_desc township_abbrv township_desc school_dist_abbrv school_dist_desc
fire_dist_abbrv fire_dist_desc water_dist_abbrv water_dist_desc sewer_dist_abbrv sewer_dist_desc
sanit_dist_abbrv sanit_dist_desc rescue_dist_abbrv rescue_dist_desc munic_dist_abbrv munic_dist_desc
dist_1_abbrv dist_1_desc vtd_abbrv vtd_desc
""".split()
NCVHIS_COLUMNS = 15
FL_COLUMNS = 38
FL_HISTORY_COLUMNS = 5
FL_VOTER_FILE = re.compile(r"^[A-Z]{3}_\d{8}\.txt$")
FL_HISTORY_FILE = re.compile(r"^[A-Z]{3}_H_\d{8}\.txt$")


@pytest.fixture(scope="module")
def inbox(tmp_path_factory) -> tuple[pathlib.Path, dict[str, int]]:
    out = tmp_path_factory.mktemp("inbox")
    return out, generate_inbox(out, VOTERS, SEED, AS_OF)


def _digests(root: pathlib.Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _lines(path: pathlib.Path) -> list[str]:
    return path.read_bytes().decode("latin-1").splitlines()


def _field_counts(paths, expected: int, header: bool) -> tuple[int, int]:
    """(rows, rows whose tab-separated field count is not `expected`)."""
    rows = bad = 0
    for path in paths:
        for line in _lines(path)[1 if header else 0 :]:
            rows += 1
            bad += len(line.split("\t")) != expected
    return rows, bad


def _phone_digits(text: str) -> str:
    digits = re.sub(r"\D", "", text)
    return digits[1:] if len(digits) == 11 and digits.startswith("1") else digits


def test_same_seed_gives_identical_bytes(inbox, tmp_path):
    out, _ = inbox
    generate_inbox(tmp_path / "again", VOTERS, SEED, AS_OF)
    assert _digests(tmp_path / "again") == _digests(out)


def test_other_seed_changes_every_file(inbox, tmp_path):
    out, _ = inbox
    generate_inbox(tmp_path / "other", VOTERS, SEED + 1, AS_OF)
    ours, theirs = _digests(out), _digests(tmp_path / "other")
    common = (ours.keys() & theirs.keys()) - {".synthetic-inbox"}
    assert common
    assert [name for name in common if ours[name] == theirs[name]] == []


def test_rerun_replaces_a_synthetic_inbox_but_refuses_other_directories(inbox, tmp_path):
    out, _ = inbox
    (tmp_path / "user_file.txt").write_text("keep me")
    with pytest.raises(FileExistsError):
        generate_inbox(tmp_path, VOTERS, SEED, AS_OF)
    rerun = tmp_path / "rerun"
    generate_inbox(rerun, VOTERS, SEED + 1, AS_OF)
    generate_inbox(rerun, VOTERS, SEED, AS_OF)
    assert _digests(rerun) == _digests(out)


def test_every_inbox_folder_has_rows(inbox):
    out, counts = inbox
    for folder in INBOX_FOLDERS:
        files = [p for p in (out / folder).rglob("*") if p.is_file()]
        assert files, folder
        assert sum(p.stat().st_size for p in files) > 0, folder
    for key in ("voters", "vote_history", "donations", "volunteers", "dnc", "opt_outs", "inbound_sms",
                "consents", "line_types", "rnd", "contact_history", "surveys"):
        assert counts[key] > 0, key
    assert counts["voters"] == VOTERS


def test_nc_files_carry_the_current_header_and_one_old_layout(inbox):
    out, _ = inbox
    headers = {p.name: _lines(p)[0].split("\t") for p in (out / "voters").glob("ncvoter*.txt")}
    current = [name for name, header in headers.items() if header == NC_COLUMNS]
    old = [name for name, header in headers.items() if header != NC_COLUMNS]
    assert len(current) >= 3
    assert len(old) == 1
    old_header = headers[old[0]]
    assert len(old_header) == 71
    assert set(NC_COLUMNS) - set(old_header) == {"age_at_year_end"}
    assert {"birth_age", "absent_ind", "name_prefx_cd", "dist_2_abbrv", "dist_2_desc"} <= set(old_header)
    assert old_header.index("ncid") > 60


def test_nc_voter_dirt(inbox):
    out, _ = inbox
    rows = []
    for path in (out / "voters").glob("ncvoter*.txt"):
        lines = _lines(path)
        header = lines[0].split("\t")
        rows += [dict(zip(header, line.split("\t"))) for line in lines[1:] if len(line.split("\t")) == len(header)]
    phones = [r["full_phone_number"] for r in rows]
    assert 0.25 < sum(p == "" for p in phones) / len(rows) < 0.45
    assert any(len(p) == 7 for p in phones)
    assert {"R", "D"} <= {r["status_cd"] for r in rows}
    assert any(r["confidential_ind"] == "Y" for r in rows)
    assert any(r["registr_dt"] == "##/##/####" for r in rows)


def test_fl_files_have_38_fields_except_the_counted_malformed_lines(inbox):
    out, counts = inbox
    voter_files = [p for p in (out / "voters").iterdir() if FL_VOTER_FILE.match(p.name)]
    rows, bad = _field_counts(voter_files, FL_COLUMNS, header=False)
    assert rows > 0.3 * VOTERS
    assert 1 <= bad <= 1 + rows // 10_000
    statuses = {line.split("\t")[28] for p in voter_files for line in _lines(p) if len(line.split("\t")) == FL_COLUMNS}
    assert statuses <= {"ACT", "INA", "PRE"}


def test_malformed_line_count_matches_the_tab_files(inbox):
    out, counts = inbox
    voters, history = out / "voters", out / "vote_history"
    fl_voters = [p for p in voters.iterdir() if FL_VOTER_FILE.match(p.name)]
    fl_history = [p for p in history.iterdir() if FL_HISTORY_FILE.match(p.name)]
    bad = 0
    for path in voters.glob("ncvoter*.txt"):
        bad += _field_counts([path], len(_lines(path)[0].split("\t")), header=True)[1]
    bad += _field_counts(fl_voters, FL_COLUMNS, header=False)[1]
    bad += _field_counts(history.glob("ncvhis*.txt"), NCVHIS_COLUMNS, header=True)[1]
    bad += _field_counts(fl_history, FL_HISTORY_COLUMNS, header=False)[1]
    assert bad == counts["malformed_lines"]


def test_vote_history_has_about_ten_rows_per_voter_and_relabel_duplicates(inbox):
    out, counts = inbox
    assert 7 * VOTERS < counts["vote_history"] < 13 * VOTERS
    seen: dict[tuple[str, str], set[str]] = {}
    for path in (out / "vote_history").glob("ncvhis*.txt"):
        for line in _lines(path)[1:]:
            fields = line.split("\t")
            if len(fields) == NCVHIS_COLUMNS:
                seen.setdefault((fields[10], fields[3]), set()).add(fields[5])
    assert any({"IN-PERSON", "ELECTION DAY IN-PERSON"} <= methods for methods in seen.values())
    codes = {line.split("\t")[4] for p in (out / "vote_history").iterdir() if FL_HISTORY_FILE.match(p.name)
             for line in _lines(p) if len(line.split("\t")) == FL_HISTORY_COLUMNS}
    assert codes <= set("ABENPY")


def test_actblue_exports_repeat_reserved(inbox):
    out, _ = inbox
    headers = []
    for path in sorted((out / "donations").glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            records = list(csv.reader(handle))
        headers.append(records[0])
        assert records[0].count("Reserved") > 1
        assert {len(r) for r in records[1:]} == {len(records[0])}
        assert {r[records[0].index("Text Message Opt In")] for r in records[1:]} <= {"true", "false"}
        assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", r[1]) for r in records[1:])
    older = [h for h in headers if h[-1] == "Smart Boost Shown"]
    assert len(older) == 1
    card = older[0].index("Card Type")
    assert older[0][card + 1 : card + 5] == ["Reserved"] * 4


def test_latin1_voter_file(inbox):
    out, _ = inbox
    undecodable = []
    for path in (out / "voters").iterdir():
        try:
            path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            undecodable.append(path)
    assert len(undecodable) == 1
    text = undecodable[0].read_bytes().decode("latin-1")
    assert re.search("[À-ÿ]", text)


def test_dnc_lists(inbox):
    out, _ = inbox
    federal = out / "dnc" / "federal"
    (full,) = federal.glob("dnc_full_*.txt")
    snapshot = dt.datetime.strptime(full.stem[-8:], "%Y%m%d").date()
    assert 0 < (AS_OF.date() - snapshot).days <= 10
    listed = full.read_text().splitlines()
    assert any(re.fullmatch(r"\d{10}", line) for line in listed)
    assert any(re.fullmatch(r"\d{3},\d{7}", line) for line in listed)
    listed_numbers = {line.replace(",", "") for line in listed}
    changes = sorted(federal.glob("dnc_changes_*.txt"))
    assert changes
    deleted = set()
    for path in changes:
        assert path.stem[-8:] > full.stem[-8:]
        for line in path.read_text().splitlines():
            assert re.fullmatch(r"\d{3},\d{7},[AD]", line)
            if line.endswith(",D"):
                deleted.add(line[:-2].replace(",", ""))
    assert deleted & listed_numbers
    assert list((out / "dnc" / "state" / "NC").glob("dnc_full_*.txt"))


def test_side_sources_point_at_generated_voters(inbox):
    out, _ = inbox
    voter_phones = set()
    for path in (out / "voters").iterdir():
        for line in _lines(path)[1 if path.name.startswith("ncvoter") else 0 :]:
            fields = line.split("\t")
            if len(fields) == len(NC_COLUMNS):
                voter_phones.add(fields[NC_COLUMNS.index("full_phone_number")])
            elif len(fields) == FL_COLUMNS:
                voter_phones.add(fields[34] + fields[35])
    for source in ("opt_outs/opt_outs.csv", "consents/consents.csv", "inbound_sms/inbound_sms.csv",
                   "line_types/line_types.csv", "contact_history/contact_history.csv"):
        with (out / source).open(newline="", encoding="utf-8") as handle:
            phones = [_phone_digits(row["phone"]) for row in csv.DictReader(handle)]
        matched = sum(p in voter_phones for p in phones) / len(phones)
        assert matched > 0.8, source


def test_opt_outs_straddle_as_of(inbox):
    out, _ = inbox
    with (out / "opt_outs" / "opt_outs.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    received = [dt.datetime.fromisoformat(r["received_at"].replace("Z", "+00:00")) for r in rows]
    assert any(t > AS_OF for t in received)
    assert sum(t <= AS_OF for t in received) > 0.9 * len(rows)
    assert {r["channel"] for r in rows} == {"call", "sms", "all", ""}


def test_surveys_identify_by_ncid_or_phone(inbox):
    out, _ = inbox
    with (out / "surveys" / "survey_responses.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["ncid", "phone", "question", "response", "collected_at"]
    assert all((r["ncid"] == "") != (r["phone"] == "") for r in rows)
    assert any(r["phone"] for r in rows)
    assert {r["question"] for r in rows} == {"climate", "healthcare", "education", "housing"}


def test_mobilize_pages_chain(inbox):
    out, counts = inbox
    pages = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((out / "volunteers").glob("attendances_*.json"))]
    assert pages[0]["previous"] is None and pages[-1]["next"] is None
    assert all(page["next"] for page in pages[:-1])
    records = [record for page in pages for record in page["data"]]
    assert len(records) == pages[0]["count"] == counts["volunteers"]
    assert {r["status"] for r in records} <= {"REGISTERED", "CANCELLED", "CONFIRMED"}
    assert all(isinstance(r["created_date"], int) and r["modified_date"] >= r["created_date"] for r in records)
