"""The built-in segments (CONTRACT section 6) on the session's real pipeline run."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import yaml

from .conftest import open_db

ROOT = Path(__file__).parent.parent
DBT_PROJECT = ROOT / "dbt_project"
SEGMENTS = [
    "everyone", "gotv", "persuasion", "donor_asks", "lapsed_donors", "volunteer_prospects",
    "issue_climate", "issue_healthcare", "issue_education", "issue_housing", "survey_sample",
]
LIMIT = 3500


def _query(home, sql, params=None):
    con = open_db(str(home / "warehouse.duckdb"))
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def test_every_segment_builds_with_plausible_sizes_and_scores(pipeline_run):
    home, *_ = pipeline_run
    voters = _query(home, "select count(*) from main.int_voters")[0][0]
    sizes = {}
    for segment in SEGMENTS:
        rows, distinct, low, high, bad = _query(home, f"""
            select count(*), count(distinct contact_id), min(score), max(score),
                   count(*) filter (where score is null or score < 0 or score > 1 or phone_e164 is null)
            from main.{segment}""")[0]
        sizes[segment] = rows
        assert rows > 0, f"{segment} is empty"
        assert rows == distinct, f"{segment} repeats a contact"
        assert bad == 0 and 0 <= low <= high <= 1, segment
    # Voter segments are parts of the active, contactable electorate.
    for segment in ("gotv", "persuasion", "survey_sample"):
        assert sizes[segment] < sizes["everyone"] < voters
    # Survey respondents are a few percent of the voters; each issue holds only supporters.
    for topic in ("climate", "healthcare", "education", "housing"):
        assert sizes[f"issue_{topic}"] < 0.05 * voters
    assert set(_query(home, "select distinct segment from main.segment_members")) == {(s,) for s in SEGMENTS}


def test_segments_hold_no_excluded_person(pipeline_run):
    home, *_ = pipeline_run
    for segment in SEGMENTS:
        leaked = _query(home, f"""
            select count(*) from main.{segment} s
            join main.int_contacts c using (contact_id)
            where len(c.voter_rule_ids) > 0 or c.phone_e164 is null""")[0][0]
        assert leaked == 0, segment


def test_contacts_keep_voter_contact_ids(pipeline_run):
    home, *_ = pipeline_run
    missing = _query(home, """
        select count(*) from main.int_voters v
        left join main.int_contacts c on c.contact_id = v.contact_id and c.voter_key = v.voter_key
        where c.contact_id is null""")[0][0]
    assert missing == 0
    # No link on a phone several voter records share, unless the name agrees too.
    shared_phone_links = _query(home, """
        select count(*) from main.int_person_crosswalk x
        join main.int_identity_records r using (source, source_id)
        where x.match_method = 'phone'
          and (select count(*) from main.int_voters v where v.phone_e164 = r.phone_e164) > 1""")[0][0]
    assert shared_phone_links == 0


def test_donor_asks_exclude_donors_at_the_limit_and_refunds(pipeline_run):
    home, *_ = pipeline_run
    rows = _query(home, """
        with totals as (
            select contact_id,
                   sum(amount) filter (where not is_refunded and cycle_election = 'general') as general_total
            from main.int_donations group by contact_id
        )
        select a.contact_id, a.general_total, a.room_under_limit, coalesce(t.general_total, 0), a.suggested_ask
        from main.donor_asks a left join totals t using (contact_id)""")
    assert rows
    for _, general_total, room, recomputed, ask in rows:
        assert general_total == recomputed  # refunds left out of the totals
        assert general_total < LIMIT and room == LIMIT - general_total
        assert 0 < ask <= room
    at_limit = _query(home, "select count(*) from main.int_donor_history where room_under_limit = 0")[0][0]
    in_asks = _query(home, """
        select count(*) from main.donor_asks join main.int_donor_history h using (contact_id)
        where h.room_under_limit = 0""")[0][0]
    assert in_asks == 0, f"{in_asks} of {at_limit} donors at the limit are in donor_asks"


def test_survey_sample_weights_reproduce_the_electorate(pipeline_run):
    home, *_ = pipeline_run
    low, total_weight, electorate_sampled = _query(home, """
        select min(design_weight), sum(design_weight),
               (select sum(stratum_electorate) from (select distinct stratum, stratum_electorate from main.survey_sample))
        from main.survey_sample""")[0]
    assert low > 0
    assert total_weight == pytest.approx(electorate_sampled, rel=1e-6)
    active = _query(home, "select count(*) from main.int_contacts where person_kind = 'voter' and registration_status = 'A'")[0][0]
    assert electorate_sampled <= active and electorate_sampled > 0.9 * active


def _rebuild_survey_sample(home, tmp_path, seed):
    warehouse = tmp_path / f"warehouse_{seed}.duckdb"
    shutil.copy(home / "warehouse.duckdb", warehouse)
    env = dict(os.environ, OUTREACH_WAREHOUSE=str(warehouse))
    dbt = Path(sys.executable).parent / "dbt"
    subprocess.run(
        [str(dbt), "run", "--quiet", "--select", "survey_sample", "--vars", f"{{survey_seed: {seed}}}",
         "--project-dir", str(DBT_PROJECT), "--profiles-dir", str(DBT_PROJECT), "--target-path", str(tmp_path / "target")],
        check=True, env=env, capture_output=True,
    )
    con = open_db(str(warehouse))
    rows = set(con.execute("select contact_id, design_weight from main.survey_sample").fetchall())
    con.close()
    return rows


def test_survey_sample_is_reproducible_for_its_seed(pipeline_run, tmp_path):
    home, *_ = pipeline_run
    built = set(_query(home, "select contact_id, design_weight from main.survey_sample"))
    seed = _query(home, "select any_value(seed) from main.survey_sample")[0][0]
    assert _rebuild_survey_sample(home, tmp_path, seed) == built
    other = _rebuild_survey_sample(home, tmp_path, seed + 1)
    assert len(other) == len(built) and other != built


def test_every_shipped_list_publishes(pipeline_run):
    home, status, outcomes, printed = pipeline_run
    shipped = yaml.safe_load((ROOT / "configuration" / "defaults" / "lists.yaml").read_text())
    by_name = {o.name: o for o in outcomes}
    for entry in shipped["lists"]:
        outcome = by_name[entry["name"]]
        assert outcome.published, f"{entry['name']}: {outcome.detail}"
        assert outcome.rows and outcome.rows > 0, entry["name"]
        assert (home / "published" / entry["name"] / "LATEST").is_file()
    assert status == 0
