"""A progress line at least every few seconds while `outreach generate` writes a large inbox:
the step under way, the megabytes written so far and the time taken. Sizes only, no content."""

from __future__ import annotations

import os
import pathlib
import threading
import time
from collections.abc import Callable

EVERY_SECONDS = 5.0


def _bytes_under(folder: pathlib.Path) -> int:
    total = 0
    for root, _, files in os.walk(folder):
        for name in files:
            try:
                total += os.stat(os.path.join(root, name)).st_size
            except OSError:
                continue  # a file being replaced
    return total


class Heartbeat:
    """`with Heartbeat(out, report) as beat:` ... `beat.step = "vote_history"` as work moves on."""

    def __init__(self, out: pathlib.Path, report: Callable[[str], None], every: float = EVERY_SECONDS):
        self.out, self.report, self.every = out, report, every
        self.step = "population"
        self._started = time.monotonic()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="generate-progress", daemon=True)

    def _beat(self) -> None:
        while not self._stop.wait(self.every):
            written = _bytes_under(self.out) / 2**20
            self.report(f"... {self.step}: {written:,.0f} MB written so far ({time.monotonic() - self._started:.0f} s)")

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
