"""`outreach explain`: for one number, the lists it is in and the rules that kept it out
of the others, read from each list's latest published decisions."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import phonenumbers

from assets.sql_text import exact_path



def to_e164(text: str) -> str:
    try:
        number = phonenumbers.parse(text, "US")
    except phonenumbers.NumberParseException:
        raise ValueError("the number given is not a phone number") from None
    if number.country_code != 1 or not phonenumbers.is_valid_number(number):
        raise ValueError("the number given is not a valid NANP number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def explain_phone(text: str, home: Path, only_list: str | None = None) -> list[str]:
    phone = to_e164(text)
    published = home / "published"
    lines = []
    list_dirs = sorted(p for p in published.iterdir() if p.is_dir()) if published.is_dir() else []
    for list_dir in list_dirs:
        if only_list and list_dir.name != only_list:
            continue
        latest = list_dir / "LATEST"
        if not latest.exists():
            continue
        version_dir = list_dir / latest.read_text().strip()
        manifest = json.loads((version_dir / "manifest.json").read_text())
        with exact_path(version_dir / "decisions.parquet") as decisions:
            rows = duckdb.execute("select included, rule_ids from read_parquet(?) where phone_e164 = ?",
                                  [decisions, phone]).fetchall()
            evidence = _evidence(decisions, phone)
        label = f"{manifest['list']} ({manifest['channel']}, version {manifest['version']})"
        if any(included for included, _ in rows):
            lines.append(f"included in {label}")
        elif rows:
            rule_ids = sorted({rule for _, ids in rows for rule in ids})
            reasons = "; ".join(f"{rule} {_rule_text(manifest, rule)}" for rule in rule_ids)
            lines.append(f"excluded from {label}: {reasons}")
            lines += [f"    {item}" for item in evidence]
        else:
            lines.append(f"not a candidate for {label}: no contact in segment '{manifest.get('segment', '?')}' has this number")
    if not lines:
        lines.append("no published list found" + (f" named {only_list}" if only_list else ""))
    return lines


def _evidence(decisions: str, phone: str) -> list[str]:
    """The deciding events behind an exclusion (R30): rule, kind, time, file and line."""
    columns = {row[0] for row in duckdb.execute("describe select * from read_parquet(?)", [decisions]).fetchall()}
    if "evidence" not in columns:  # versions published before evidence was kept
        return []
    items = duckdb.execute(
        "select distinct e.rule_id, e.kind, e.event_at, e.source_file, e.source_line "
        "from (select unnest(evidence) as e from read_parquet(?) where phone_e164 = ? and not included) "
        "order by 1, 3, 4, 5",
        [decisions, phone],
    ).fetchall()
    described = []
    for rule_id, kind, event_at, source_file, source_line in items:
        where = f"{source_file} line {source_line}" if source_line is not None else (source_file or "")
        when = f" at {event_at}" if event_at is not None else ""
        described.append(f"evidence {rule_id}: {kind}{when}{(', ' + where) if where else ''}")
    return described


def _rule_text(manifest: dict, rule: str) -> str:
    text = manifest.get("rules", {}).get(rule, {}).get("text", "(rule not described in the policy)")
    return text.replace("the caller entity", manifest["caller_entity"])
