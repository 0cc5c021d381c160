"""One sha256 per inbox file per run, shared by the build plan, the ledger's snapshot and the
ingest fingerprint, and never reused for a file written since (assets/ingest/file_digests.py)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from assets.build_state import _file_digests
from assets.ingest.file_digests import file_identity, remember, sha256_of
from assets.ingest.unchanged import family_fingerprint
from assets.ledger.store import snapshot_folder

OLD_OPT_OUTS = "phone,received_at,channel,source,reason\n9195550142,2026-11-27T10:00:00-05:00,all,sms,stop\n"
# The same size, another number: a file rewritten in place.
NEW_OPT_OUTS = "phone,received_at,channel,source,reason\n9195550199,2026-11-27T10:00:00-05:00,all,sms,stop\n"


def _inbox(tmp_path: Path) -> tuple[Path, Path]:
    inbox = tmp_path / "inbox"
    (inbox / "opt_outs").mkdir(parents=True)
    path = inbox / "opt_outs" / "stop.csv"
    path.write_text(OLD_OPT_OUTS)
    return inbox, path


def _rewrite_keeping_size_and_mtime(path: Path, text: str) -> None:
    before = path.stat()
    path.write_text(text)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_a_file_rewritten_with_the_same_size_and_mtime_is_hashed_again(tmp_path):
    inbox, path = _inbox(tmp_path)
    first = _file_digests(inbox, {})
    assert first["opt_outs/stop.csv"][2] == _sha(OLD_OPT_OUTS)
    _rewrite_keeping_size_and_mtime(path, NEW_OPT_OUTS)
    # The last run's state (size and mtime equal) must not stand in for the new bytes, here or in ingest.
    assert _file_digests(inbox, first)["opt_outs/stop.csv"][2] == _sha(NEW_OPT_OUTS)
    assert sha256_of(path) == _sha(NEW_OPT_OUTS)
    assert snapshot_folder(inbox, "opt_outs")["opt_outs/stop.csv"].sha256 == _sha(NEW_OPT_OUTS)


def test_a_previous_digest_of_the_same_unwritten_file_is_shared_with_ingest(tmp_path):
    inbox, path = _inbox(tmp_path)
    identity = file_identity(path.stat())
    # A stand-in digest shows who read the file: the plan takes the last state's entry and
    # the ledger snapshot and the ingest fingerprint take it from the plan, reading nothing.
    stand_in = "f" * 64
    cache = {"opt_outs/stop.csv": [identity[0], identity[1], stand_in, *identity[2:]]}
    assert _file_digests(inbox, cache)["opt_outs/stop.csv"][2] == stand_in
    assert snapshot_folder(inbox, "opt_outs")["opt_outs/stop.csv"].sha256 == stand_in
    assert family_fingerprint(inbox, "opt_outs", 1000, []) == family_fingerprint(
        inbox, "opt_outs", 1000, [], {"opt_outs/stop.csv": stand_in})


def test_an_entry_of_the_older_state_layout_is_hashed(tmp_path):
    inbox, path = _inbox(tmp_path)
    stat = path.stat()
    old_layout = {"opt_outs/stop.csv": [stat.st_size, stat.st_mtime_ns, "0" * 64]}
    assert _file_digests(inbox, old_layout)["opt_outs/stop.csv"][2] == _sha(OLD_OPT_OUTS)


def test_the_memo_holds_only_for_the_identity_it_was_taken_under(tmp_path):
    _, path = _inbox(tmp_path)
    remember(path, file_identity(path.stat()), "e" * 64)
    assert sha256_of(path) == "e" * 64
    _rewrite_keeping_size_and_mtime(path, NEW_OPT_OUTS)
    assert sha256_of(path) == _sha(NEW_OPT_OUTS)
