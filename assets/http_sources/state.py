"""Incremental cursors, one per source, in `HOME/state/http_sources.json`.

A cursor is written only after a pull has fully succeeded, so a failed pull is retried from
the same point next time. Keys carry what the cursor is about (`mobilize:<organization>`,
`actblue:<csv_type>`), so pointing sources.yaml at another organization or report type
starts that one from scratch instead of borrowing a cursor that does not apply."""

from __future__ import annotations

import json
from pathlib import Path

from .errors import HttpSourceError
from .files import write_atomically

STATE_PATH = Path("state") / "http_sources.json"


class CursorStore:
    def __init__(self, home: Path):
        self.path = Path(home) / STATE_PATH

    def get(self, key: str) -> dict | None:
        return self._read().get(key)

    def put(self, key: str, cursor: dict) -> None:
        state = self._read()
        state[key] = cursor
        write_atomically(self.path, (json.dumps(state, indent=2, sort_keys=True) + "\n").encode())

    def _read(self) -> dict:
        if not self.path.exists():
            return {}
        try:
            state = json.loads(self.path.read_bytes())
        except (OSError, ValueError) as error:
            raise HttpSourceError(
                f"{self.path}: cannot read the HTTP source cursors ({error}). "
                "Delete the file to pull every source from its start again."
            ) from None
        if not isinstance(state, dict):
            raise HttpSourceError(f"{self.path}: expected a JSON object of cursors. Delete the file to pull every source from its start again.")
        return state
