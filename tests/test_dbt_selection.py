"""The pure selection helpers over the real dbt manifest (assets/dbt_selection.py)."""

from __future__ import annotations

from assets.dbt import load_manifest
from assets.dbt_selection import downstream_of_sources, in_dependency_order, production_models


def _parents(manifest: dict) -> dict[str, set[str]]:
    models = {node["unique_id"]: node["name"] for node in manifest["nodes"].values() if node["resource_type"] == "model"}
    return {node["name"]: {models[p] for p in node["depends_on"]["nodes"] if p in models}
            for node in manifest["nodes"].values() if node["resource_type"] == "model"}


def test_models_come_after_the_models_they_read():
    manifest = load_manifest()
    needed = production_models(manifest, None)
    # What a launched run reuses after a new opt-out file: every needed model not downstream of it.
    reused = needed - downstream_of_sources(manifest, {"raw.opt_outs"}, needed)
    ordered = in_dependency_order(manifest, reused)
    assert sorted(ordered) == sorted(reused) and len(reused) > 10
    parents = _parents(manifest)
    position = {name: index for index, name in enumerate(ordered)}
    for name in ordered:
        assert all(position[parent] < position[name] for parent in parents[name] & reused), name
    # Alphabetical order would not do: a segment (gotv) reads int_contacts.
    assert position["int_contacts"] < position["gotv"]
