"""What a run asks dbt to build: the models its lists need, the data tests that guard
publishing, and on an incremental run only the models downstream of the sources that changed.

Pure functions over the dbt manifest (docs/performance.md). They name dbt nodes by model
name; assets/dbt.py and orchestration/ turn them into dbt arguments and Dagster selections."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

# The models nothing else reads: the lists' rows and what the gates, the API and analysts read
# besides them. A production run builds these and everything upstream of them.
LEAF_MODELS = ("list_members", "dnc_snapshots", "sms_review_queue", "suppressed_numbers", "unusable_records")
SEGMENT_UNION = "segment_members"
SEGMENTS_FOLDER = "segments"
# Data tests on compliance and list models (dbt_project.yml); the others run in CI only.
PUBLISH_GUARD = "publish_guard"


def _models(manifest: Mapping[str, Any]) -> dict[str, dict]:
    return {node["name"]: node for node in manifest["nodes"].values() if node["resource_type"] == "model"}


def segment_models(manifest: Mapping[str, Any]) -> set[str]:
    """The built-in segment models (folder segments/, without the union of them)."""
    return {name for name, node in _models(manifest).items()
            if len(node["fqn"]) > 2 and node["fqn"][1] == SEGMENTS_FOLDER and name != SEGMENT_UNION}


def configured_segments(manifest: Mapping[str, Any], list_segments: Iterable[str]) -> list[str] | None:
    """The segment models the lists use, sorted; None when that is every segment (or none is a
    segment model: those lists are blocked anyway, and building everything is the safe side)."""
    known = segment_models(manifest)
    used = sorted({segment for segment in list_segments if segment in known})
    return used if used and set(used) != known else None


def production_models(manifest: Mapping[str, Any], segments: list[str] | None) -> set[str]:
    """The leaf models and every model upstream of them, reading only `segments` (None: all)
    through segment_members."""
    models = _models(manifest)
    by_id = {node["unique_id"]: name for name, node in models.items()}
    wanted = None if segments is None else set(segments)
    needed: set[str] = set()
    stack = [name for name in LEAF_MODELS if name in models]
    while stack:
        name = stack.pop()
        if name in needed:
            continue
        needed.add(name)
        for parent in models[name]["depends_on"]["nodes"]:
            parent_name = by_id.get(parent)
            if parent_name is None:
                continue  # a source or a macro
            if name == SEGMENT_UNION and wanted is not None and parent_name not in wanted:
                continue
            stack.append(parent_name)
    return needed


def guard_tests(manifest: Mapping[str, Any], models: set[str]) -> set[str]:
    """Names of the publish_guard data tests whose models are all in `models`."""
    by_id = {node["unique_id"]: name for name, node in _models(manifest).items()}
    found = set()
    for node in manifest["nodes"].values():
        if node["resource_type"] != "test" or PUBLISH_GUARD not in node.get("tags", []):
            continue
        parents = {by_id.get(parent) for parent in node["depends_on"]["nodes"]}
        if parents and parents <= models:
            found.add(node["name"])
    return found


def downstream_of_sources(manifest: Mapping[str, Any], sources: set[str], within: set[str]) -> set[str]:
    """Models in `within` that read, directly or through other models, one of `sources`
    (`schema.table`, e.g. `raw.opt_outs`)."""
    models = _models(manifest)
    source_ids = {node["unique_id"] for node in manifest["sources"].values()
                  if f"{node['source_name']}.{node['name']}" in sources}
    changed: set[str] = set(source_ids)
    picked: set[str] = set()
    # Models in dependency order: the manifest's parent lists make this a fixed point.
    progress = True
    while progress:
        progress = False
        for name, node in models.items():
            if node["unique_id"] in changed:
                continue
            if any(parent in changed for parent in node["depends_on"]["nodes"]):
                changed.add(node["unique_id"])
                picked.add(name)
                progress = True
    return picked & within


def in_dependency_order(manifest: Mapping[str, Any], names: Iterable[str]) -> list[str]:
    """`names` (models) with every model after the models of `names` it reads."""
    models = _models(manifest)
    by_id = {node["unique_id"]: name for name, node in models.items()}
    wanted, ordered, seen = set(names), [], set()

    def visit(name: str) -> None:
        if name in seen:
            return
        seen.add(name)
        for parent in models[name]["depends_on"]["nodes"]:
            if by_id.get(parent) in wanted:
                visit(by_id[parent])
        ordered.append(name)

    for name in sorted(wanted):
        visit(name)
    return ordered
