"""The Dagster code location that `workspace.yaml` loads (`make dev`).

Settings come from OUTREACH_INBOX, OUTREACH_HOME, OUTREACH_AS_OF, OUTREACH_LISTS and
OUTREACH_POLICY, else the demo folders `data/inbox` and `data/home`."""

from .location import build_definitions
from configuration.settings import RunSettings

defs = build_definitions(RunSettings.from_environment())
