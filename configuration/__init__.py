"""Configuration: `lists.yaml`, `policy.yaml`, `sources.yaml` and the run settings.

The bottom layer: `assets/`, `expectations/` and `orchestration/` import from here, and
nothing here imports them."""
