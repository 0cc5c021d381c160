"""The command line as a user runs it: real processes, real files."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from .conftest import AS_OF, open_db

OUTREACH = str(Path(sys.executable).parent / "outreach")


def _run(*args, cwd=None):
    return subprocess.run([OUTREACH, *args], capture_output=True, text=True, cwd=cwd, timeout=900)


def test_help_lists_every_command():
    result = _run("--help")
    assert result.returncode == 0
    for command in ("generate", "run", "demo", "lists", "explain", "report"):
        assert command in result.stdout


def test_lists_shows_published_lists(pipeline_run):
    home, *_ = pipeline_run
    result = _run("lists", "--home", str(home))
    assert result.returncode == 0
    assert "everyone_calls" in result.stdout and "manual_call" in result.stdout


def test_explain_names_rules(pipeline_run):
    import duckdb

    home, *_ = pipeline_run
    con = open_db(str(home / "warehouse.duckdb"))
    opted = con.execute(
        "select d.phone_e164 from main.list_decisions d where d.list_name = 'everyone_calls' "
        "and list_contains(d.rule_ids, 'R09') limit 1").fetchone()[0]
    included = con.execute("select phone_e164 from main.list_members where list_name = 'everyone_calls' limit 1").fetchone()[0]
    con.close()
    spelled = f"({opted[2:5]}) {opted[5:8]}-{opted[8:]}"
    result = _run("explain", spelled, "--home", str(home), "--list", "everyone_calls")
    assert result.returncode == 0, result.stderr
    assert "excluded from everyone_calls" in result.stdout and "R09" in result.stdout
    result = _run("explain", included, "--home", str(home))
    assert "included in everyone_calls" in result.stdout


def test_unreadable_lists_config_exits_2(tmp_path, small_inbox):
    bad = tmp_path / "lists.yaml"
    bad.write_text("caller_entity: X\nlists: [\n")
    result = _run("run", "--inbox", str(small_inbox), "--home", str(tmp_path / "home"), "--lists", str(bad))
    assert result.returncode == 2
    assert "lists.yaml" in result.stderr and "YAML" in result.stderr


def test_blocked_list_keeps_previous_version(pipeline_run, small_inbox, tmp_path, monkeypatch):
    home, *_ = pipeline_run
    copy = tmp_path / "home"
    shutil.copytree(home, copy)
    before = (copy / "published" / "everyone_texts" / "LATEST").read_text()
    config = yaml.safe_load((Path(__file__).parent.parent / "configuration" / "defaults" / "lists.yaml").read_text())
    config["lists"] = [dict(item) for item in config["lists"] if item["name"] in ("everyone_calls", "everyone_texts")]
    for item in config["lists"]:
        if item["name"] == "everyone_texts":
            del item["sms"]["campaign_id_10dlc"]
    (copy / "lists.yaml").write_text(yaml.safe_dump(config))
    # Recorded into a persistent Dagster instance, as `make demo` does (docs/report.md).
    dagster_home = tmp_path / "dagster_home"
    dagster_home.mkdir()
    result = subprocess.run([OUTREACH, "run", "--inbox", str(small_inbox), "--home", str(copy), "--as-of", AS_OF.isoformat()],
                            capture_output=True, text=True, timeout=900, env={**os.environ, "DAGSTER_HOME": str(dagster_home)})
    assert result.returncode == 3, result.stdout + result.stderr
    assert "rows read =" in result.stdout and "segments: " in result.stdout and "everyone" in result.stdout
    line = next(l for l in result.stdout.splitlines() if l.startswith("everyone_texts"))
    assert "BLOCKED" in line and "campaign_id_10dlc" in line
    assert "PUBLISHED" in next(l for l in result.stdout.splitlines() if l.startswith("everyone_calls"))
    assert (copy / "published" / "everyone_texts" / "LATEST").read_text() == before
    assert not [p for p in (copy / "published" / "everyone_texts").iterdir() if p.name.startswith(".tmp")]
    monkeypatch.setenv("DAGSTER_HOME", str(dagster_home))
    _blocked_reason_is_kept(copy, before.strip())


def _blocked_reason_is_kept(home: Path, served: str) -> None:
    """The blocked list's reason a day later: in `outreach lists`, the run's report, and the UI's instance."""
    import dagster as dg

    from assets.reporting.paths import latest_run, report_path

    listing = _run("lists", "--home", str(home))
    assert listing.returncode == 0, listing.stderr
    line = next(l for l in listing.stdout.splitlines() if l.startswith("everyone_texts") and "BLOCKED" in l)
    assert "campaign_id_10dlc" in line and f"still served: {served}" in line
    assert "expires at" in listing.stdout
    run_id = latest_run(home)
    page = report_path(home, run_id).read_text()
    assert "Blocked:" in page and "campaign_id_10dlc" in page and served in page
    with dg.DagsterInstance.get() as instance:  # DAGSTER_HOME: the folder the run recorded into
        assert instance.get_run_by_id(run_id) is not None
        event = instance.get_latest_materialization_event(dg.AssetKey(["published", "everyone_calls"]))
        metadata = event.asset_materialization.metadata
        assert isinstance(metadata["waterfall"], dg.TableMetadataValue)
        assert metadata["expires_at"].value and metadata["manifest"].value.endswith("manifest.json")
        assert metadata["report"].value == str(report_path(home, run_id))
        check = dg.AssetCheckKey(dg.AssetKey(["lists", "everyone_texts"]), "gate")
        record = instance.event_log_storage.get_latest_asset_check_execution_by_key([check])[check]
        evaluation = record.event.asset_check_evaluation
        assert not evaluation.passed and "campaign_id_10dlc" in evaluation.metadata["summary"].value
        assert Path(evaluation.metadata["validation_result"].value).is_file()


def test_unrecognized_file_fails_with_file_named(tmp_path):
    inbox = tmp_path / "inbox"
    (inbox / "voters").mkdir(parents=True)
    (inbox / "voters" / "mystery.txt").write_text("a,b,c\n1,2,3\n")
    result = _run("run", "--inbox", str(inbox), "--home", str(tmp_path / "home"), "--as-of", AS_OF.isoformat())
    assert result.returncode == 2
    assert "voters/mystery.txt" in result.stdout
    assert "BLOCKED" in result.stdout
    assert not (tmp_path / "home" / "published").exists() or not any((tmp_path / "home" / "published").iterdir())


def test_http_pull_that_cannot_authenticate_blocks_every_list(small_inbox, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "sources.yaml").write_text(
        "mobilize:\n  base_url: http://127.0.0.1:9/v1\n  organization_id: 1\n  token_env: OUTREACH_TEST_UNSET_TOKEN\n")
    result = _run("run", "--inbox", str(small_inbox), "--home", str(home), "--as-of", AS_OF.isoformat())
    assert result.returncode == 3, result.stdout + result.stderr
    blocked = [line for line in result.stdout.splitlines() if " BLOCKED " in line]
    assert blocked and all("OUTREACH_TEST_UNSET_TOKEN" in line for line in blocked)
    assert not (home / "published").exists()


def test_malformed_sources_yaml_exits_2(small_inbox, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "sources.yaml").write_text("mobilize:\n  token: abc\n")
    result = _run("run", "--inbox", str(small_inbox), "--home", str(home))
    assert result.returncode == 2
    assert "sources.yaml" in result.stderr and "abc" not in result.stderr
