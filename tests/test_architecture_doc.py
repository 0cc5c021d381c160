"""docs/architecture.md's rule table cannot go stale: every rule of the default policy has a
row, every file it names exists, and the rule id occurs where the table says it is enforced
and tested. Its package table names only paths that exist."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "architecture.md"
PATH = re.compile(r"`([\w./-]+\.(?:py|sql|yaml|yml))`")


def rule_rows() -> dict[str, tuple[list[str], list[str]]]:
    text = DOC.read_text().split("## Where each rule lives", 1)[1]
    rows = {}
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 3 and re.fullmatch(r"[RC]\d\d", cells[0]):
            rows[cells[0]] = (PATH.findall(cells[1]), PATH.findall(cells[2]))
    return rows


def policy_rule_ids() -> set[str]:
    policy = yaml.safe_load((ROOT / "configuration" / "defaults" / "policy.yaml").read_text())
    return set(policy["rules"])


def test_every_policy_rule_has_a_row():
    assert sorted(policy_rule_ids() - set(rule_rows())) == []


def test_no_row_names_a_rule_the_policy_lacks():
    assert sorted(set(rule_rows()) - policy_rule_ids()) == []


def test_rule_ids_occur_where_the_table_says():
    problems = []
    for rule_id, (enforced, tested) in rule_rows().items():
        for path in enforced + tested:
            if not (ROOT / path).is_file():
                problems.append(f"{rule_id}: {path} does not exist")
        if not enforced or not any(rule_id in (ROOT / p).read_text() for p in enforced if (ROOT / p).is_file()):
            problems.append(f"{rule_id}: not found in any of {enforced}")
        if not tested:
            problems.append(f"{rule_id}: no test named")
        problems += [f"{rule_id}: {p} does not mention it" for p in tested
                     if (ROOT / p).is_file() and rule_id not in (ROOT / p).read_text()]
    assert problems == []


def test_package_table_names_existing_paths():
    packages = DOC.read_text().split("## Packages", 1)[1].split("## ", 1)[0]
    missing = []
    for line in packages.splitlines():
        if not line.startswith("| `"):
            continue
        first = line.split("|")[1]
        names = re.findall(r"`([^`]+)`", first)
        base = Path(names[0]).parent if names and "/" in names[0] and not names[0].endswith("/") else None
        for name in names:
            path = ROOT / name if "/" in name or base is None else ROOT / base / name
            if not path.exists():
                missing.append(name)
    assert missing == []
