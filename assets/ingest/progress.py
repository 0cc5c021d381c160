"""Progress of a long ingest step: a line at least every few seconds, counts only.

Every loader records each file it finishes through `reading.record_file`; while a family is
read, `family_progress` listens there and, from a background thread, prints how many of the
family's files are done and how many rows they held, every `every` seconds (and nothing for a
family done sooner). Lines name no file and no value: file names are the inbox's, but counts
are all a watcher needs.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from . import reading

DEFAULT_EVERY_SECONDS = 5.0


@contextmanager
def family_progress(family: str, total_files: int, log: Callable[[str], None],
                    every: float = DEFAULT_EVERY_SECONDS) -> Iterator[None]:
    done = {"files": 0, "rows": 0}
    started = time.monotonic()
    stop = threading.Event()

    def on_file(load: reading.FileLoad) -> None:
        if load.skipped_reason is None:
            done["files"] += 1
            done["rows"] += load.rows_read

    def beat() -> None:
        while not stop.wait(every):
            log(f"{family}: {done['files']} of {total_files} files read, {done['rows']:,} rows so far "
                f"({time.monotonic() - started:.0f} s)")

    token = reading.FILE_LISTENER.set(on_file)
    thread = threading.Thread(target=beat, name=f"ingest-progress-{family}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        reading.FILE_LISTENER.reset(token)
