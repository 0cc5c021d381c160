"""A lists.yaml with one list builds only what that list needs (issue 12, docs/performance.md):
its segment and the people and compliance models upstream of it, no other segment, and the
list publishes what a run of every list publishes for it."""

from __future__ import annotations

import io
import json

from .conftest import AS_OF

ONE_LIST = """caller_entity: Friends of Jane Doe
caller_entity_type: candidate_committee
lists:
  - name: gotv_calls
    segment: gotv
    channel: manual_call
    purpose: political
    exports: [callhub, van_bulk]
"""
OTHER_SEGMENTS = {"everyone", "persuasion", "donor_asks", "lapsed_donors", "volunteer_prospects", "issue_climate",
                  "issue_healthcare", "issue_education", "issue_housing", "survey_sample"}


def _latest(home, name):
    list_dir = home / "published" / name
    return list_dir / (list_dir / "LATEST").read_text().strip()


def test_one_list_builds_its_segment_only_and_publishes_as_a_full_run(small_inbox, pipeline_run, tmp_path):
    from configuration.settings import RunSettings
    from orchestration.runner import run_pipeline

    full_home, *_ = pipeline_run
    home = tmp_path / "home"
    home.mkdir()
    (home / "lists.yaml").write_text(ONE_LIST)
    status, outcomes = run_pipeline(RunSettings.build(small_inbox, home, AS_OF), out=io.StringIO())
    assert status == 0 and [o.name for o in outcomes] == ["gotv_calls"], [o.detail for o in outcomes]
    results = json.loads((home / "dbt_target" / "run_results.json").read_text())["results"]
    built = {r["unique_id"].split(".")[-1] for r in results if r["unique_id"].startswith("model.")}
    assert {"gotv", "segment_members", "int_contacts", "list_decisions", "list_members"} <= built
    assert not built & OTHER_SEGMENTS
    # Only the data tests that guard publishing ran, and no unit test.
    # ("operation": the on-run-start hook, which does its work only on the Spark target.)
    tests = {r["unique_id"].split(".")[0] for r in results} - {"model", "operation"}
    assert tests == {"test"}
    nodes = json.loads((home / "dbt_target" / "manifest.json").read_text())["nodes"]
    ran = [r["unique_id"] for r in results if r["unique_id"].startswith("test.")]
    assert ran and all("publish_guard" in nodes[uid]["tags"] for uid in ran)
    for name in ("contacts.csv", "decisions.parquet", "callhub.csv", "van_bulk.csv"):
        one, full = _latest(home, "gotv_calls") / name, _latest(full_home, "gotv_calls") / name
        assert one.read_bytes() == full.read_bytes(), name
