"""The Dagster code location that `make dev` serves: every layer is there, with its automation."""

from __future__ import annotations

import importlib

from orchestration.automation import inbox_fingerprint


def test_definitions_load_with_every_layer(tmp_path, monkeypatch):
    monkeypatch.setenv("OUTREACH_INBOX", str(tmp_path / "inbox"))
    monkeypatch.setenv("OUTREACH_HOME", str(tmp_path / "home"))
    import orchestration.definitions as module

    defs = importlib.reload(module).defs
    keys = {"/".join(key.path) for key in defs.resolve_asset_graph().get_all_asset_keys()}
    assert {"inbox/http_pull", "raw/nc_voters", "raw/opt_outs", "ref/phone_prefixes", "config/run",
            "int_phone_events", "phone_channel_eligibility", "list_decisions", "everyone",
            "lists/everyone_calls", "published/everyone_calls"} <= keys
    assert defs.resolve_job_def("materialize_everything") is not None
    assert defs.resolve_schedule_def("daily_pull_and_publish").cron_schedule == "0 6 * * *"
    assert defs.resolve_sensor_def("inbox_changed") is not None


def test_inbox_fingerprint_changes_with_files_but_not_hidden_ones(tmp_path):
    (tmp_path / "opt_outs").mkdir()
    empty = inbox_fingerprint(tmp_path)
    (tmp_path / "opt_outs" / ".partial").write_text("x")
    assert inbox_fingerprint(tmp_path) == empty
    (tmp_path / "opt_outs" / "a.csv").write_text("phone\n")
    changed = inbox_fingerprint(tmp_path)
    assert changed != empty
    (tmp_path / "opt_outs" / "a.csv").write_text("phone,received_at\n")
    assert inbox_fingerprint(tmp_path) != changed
