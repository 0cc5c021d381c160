"""Live suppression: the numbers the API removes from every list it serves, on every pull.

A published version decided everything the ledger knew at its as-of. What arrived since must
still keep a number out of the next pull, within a second, without waiting for a run:

- every journal opt-out, whatever its channel (R09);
- every journal disposition that is a wrong number (R28) or a request not to be contacted
  (R09), in any dialer's words (`disposition_kind`, as dbt's disposition_kind reads them);
- every journal inbound reply that dbt's `int_sms_classified` would call `opt_out` or
  `review` (R11), with the SAME semantics: the body normalized as docs/compliance_defaults.md
  says (leading characters other than letters and digits dropped, `reply_text`), then a
  plain `starts_with` on `starts_with` keywords (so "endorse" starts with "end": more
  restrictive than the gate's whole-word check), or its letters and digits alone equal to
  one's ("S T O P", `letters_only`), `contains` on `contains` phrases, and
  `starts_with` on `review_starts_with` prefixes;
- a journal line that could not be read as a record: every valid number its text holds (C07);
- `HOME/ledger/suppressed_numbers.parquet`, which each run writes after dbt: every number
  any ledger event suppresses on every channel, whatever its time. It covers the case where
  a list is blocked in a later run and keeps its older version while the ledger learned
  newer opt-outs from the inbox.

Times are ignored on purpose: the version's own decisions already cover everything up to
its as-of, so removing the whole set is restrictive and correct.

Cost per call: one directory listing per family and one stat of the snapshot; only file
names not seen before are read and parsed (journal files never change), and the frozen set
and its Arrow array are rebuilt only when something was added. A journal file or snapshot
that cannot be read raises LiveSuppressionError: the caller must not serve a list it cannot
filter.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from expectations.facts import (disposition_kind, ends_with_keyword, letters_only, normalize_phone, normalize_text,
                                phones_in_text, reply_text)

from .records import FAMILIES
from .store import list_journal, read_journal_file

SNAPSHOT_NAME = "suppressed_numbers.parquet"
SNAPSHOT_COLUMNS = ("phone_e164", "rule_id", "event_at")


class LiveSuppressionError(RuntimeError):
    """The live suppression set could not be read; the message names files, never numbers."""


def snapshot_path(home: Path) -> Path:
    return Path(home) / "ledger" / SNAPSHOT_NAME


def _keywords(policy_sms: dict, kind: str) -> tuple[str, ...]:
    # As assets/run_config.py feeds dbt (strip, lower) and int_sms_classified (norm_text).
    return tuple(normalize_text(str(k).strip().lower()) for k in (policy_sms or {}).get(kind) or [])


def classify_like_dbt(body, policy_sms: dict) -> str:
    """`opt_out`, `review` or `reply`, as dbt's int_sms_classified decides (plain prefixes)."""
    text = reply_text(body)
    starts_with = _keywords(policy_sms, "starts_with")
    spelled_out = {letters_only(k) for k in starts_with} - {""}
    if any(text.startswith(k) for k in starts_with) \
            or letters_only(text) in spelled_out \
            or any(k in text for k in _keywords(policy_sms, "contains")):
        return "opt_out"
    if any(text.startswith(k) for k in _keywords(policy_sms, "review_starts_with")) \
            or ends_with_keyword(text, spelled_out):
        return "review"
    return "reply"


def _phone(text) -> set[str]:
    phone = normalize_phone(text)
    return {phone} if phone else set(phones_in_text(text))


def suppressed_by_file(journal, policy_sms: dict) -> frozenset[str]:
    """The numbers one parsed journal file suppresses on every channel."""
    found: set[str] = set()
    for _, record in journal.rows:
        phone = record.get("phone")
        if journal.family == "opt_outs":
            hit = True
        elif journal.family == "contact_history":
            hit = disposition_kind(record.get("disposition")) in ("wrong_number", "do_not_call")
        else:
            hit = classify_like_dbt(record.get("body"), policy_sms) in ("opt_out", "review")
        if hit:
            numbers = _phone(phone)
            # A row whose phone cannot be read (never written so) still suppresses what it holds.
            found |= numbers or phones_in_text(",".join(str(v) for v in record.values() if v))
    for _, text in journal.unreadable:
        found |= phones_in_text(text)
    return frozenset(found)


class LiveSuppression:
    """The live suppression set of one HOME under one SMS keyword policy; thread-safe.

    Create one per server process (and policy) and call `numbers()` or `apply()` on every
    pull."""

    def __init__(self, home: Path, policy_sms: dict):
        self.home = Path(home)
        self.policy_sms = {k: list(v or []) for k, v in (policy_sms or {}).items()}
        self._lock = threading.Lock()
        self._seen: dict[str, set[str]] = {family: set() for family in FAMILIES}
        self._journal: set[str] = set()
        self._snapshot_key: tuple | None = None
        self._snapshot: frozenset[str] = frozenset()
        self._numbers: frozenset[str] = frozenset()
        self._array: pa.Array = pa.array([], pa.string())
        self.files_read = 0

    def _refresh_journal(self) -> bool:
        grew = False
        for family in FAMILIES:
            seen = self._seen[family]
            for name in list_journal(self.home, family, skip=seen):
                try:
                    journal = read_journal_file(self.home, family, name)
                except OSError as error:
                    raise LiveSuppressionError(f"journal/{family}/{name} cannot be read ({error.strerror})") from None
                self._journal |= suppressed_by_file(journal, self.policy_sms)
                seen.add(name)
                self.files_read += 1
                grew = True
        return grew

    def _refresh_snapshot(self) -> bool:
        path = snapshot_path(self.home)
        try:
            stat = os.stat(path)
        except FileNotFoundError:
            # No run has written one yet. A snapshot once read is kept: the set only grows.
            return False
        key = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
        if key == self._snapshot_key:
            return False
        try:
            import pyarrow.parquet as pq

            column = pq.read_table(path, columns=["phone_e164"]).column("phone_e164")
        except (OSError, pa.ArrowException, KeyError) as error:
            raise LiveSuppressionError(f"{path.name} cannot be read ({type(error).__name__})") from None
        self._snapshot = self._snapshot | frozenset(p for p in column.to_pylist() if p)
        self._snapshot_key = key
        return True

    def _refresh(self) -> None:
        with self._lock:
            changed = self._refresh_journal()
            changed = self._refresh_snapshot() or changed
            if changed:
                numbers = frozenset(self._journal | self._snapshot)
                self._array = pa.array(sorted(numbers), pa.string())
                self._numbers = numbers

    def numbers(self) -> frozenset[str]:
        """Every E.164 number to remove from what is served, as of this call."""
        self._refresh()
        return self._numbers

    def value_set(self) -> pa.Array:
        """The same set as an Arrow string array (built once per change), for pyarrow.compute."""
        self._refresh()
        return self._array

    def apply(self, table, column: str = "phone_e164"):
        """(rows of `table` whose `column` is not suppressed, number of rows removed)."""
        return apply_suppression(table, self.value_set(), column)


def apply_suppression(table, suppressed, column: str = "phone_e164"):
    """(kept, removed_count): the rows of a pyarrow Table or RecordBatch whose `column` is not in
    `suppressed` (an Arrow array, or any iterable of E.164 text). Vectorized: pyarrow.compute.is_in."""
    value_set = suppressed if isinstance(suppressed, pa.Array) else pa.array(sorted(suppressed), pa.string())
    if table.num_rows == 0 or len(value_set) == 0:
        return table, 0
    phones = table.column(column) if isinstance(table, pa.Table) else table.column(table.schema.get_field_index(column))
    hit = pc.fill_null(pc.is_in(phones.cast(pa.string()), value_set=value_set), False)
    removed = pc.sum(hit).as_py() or 0
    if removed == 0:
        return table, 0
    return table.filter(pc.invert(hit)), removed


_REGISTRY: dict[tuple, LiveSuppression] = {}
_REGISTRY_LOCK = threading.Lock()


def live_suppression(home: Path, policy_sms: dict) -> LiveSuppression:
    """The process-wide LiveSuppression for (HOME, policy), created on first use."""
    key = (str(Path(home).resolve()), repr(sorted((k, tuple(v or [])) for k, v in (policy_sms or {}).items())))
    with _REGISTRY_LOCK:
        if key not in _REGISTRY:
            _REGISTRY[key] = LiveSuppression(home, policy_sms)
        return _REGISTRY[key]


def numbers(home: Path, policy_sms: dict) -> frozenset[str]:
    """Every number live suppression removes for HOME under `policy_sms` (cached per file)."""
    return live_suppression(home, policy_sms).numbers()
