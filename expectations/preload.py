"""A head start for the gates: what they load that does not depend on the run's data.

The first gate of a run used to pay for importing Great Expectations (it imports pyspark,
SQLAlchemy and Altair because they are installed) and for the facts' input-independent
tables (the ZIP-to-state map of the `zipcodes` package, the area-code states from
phonenumbers' geocoder, the Unicode digit map): tens of seconds on a busy machine, mostly
waiting on the disk. The dbt build runs in its own process while this one only waits, so
`start` (called as the build begins) loads them in a daemon thread, and `wait` (called
before a gate uses any of them) joins it. Nothing here reads the warehouse, so the gate's
facts are still derived after dbt, from the inputs only."""

from __future__ import annotations

import threading

_lock = threading.Lock()
_thread: threading.Thread | None = None


def _load() -> None:
    from . import facts, gate

    facts.area_code_rows()
    facts._zip_states()
    facts._digit_translation()
    gate.import_gx()


def start() -> None:
    """Start loading, once per process."""
    global _thread
    with _lock:
        if _thread is None:
            # Great Expectations imports SQLAlchemy's ORM, which Dagster's event storage in this
            # thread imports lazily while the dbt step reports: two threads importing it at once
            # failed a run at 10M ("partially initialized module 'sqlalchemy.orm.exc'"). Imported
            # here first, it is whole before the loading thread starts.
            try:
                import sqlalchemy.orm  # noqa: F401
            except ImportError:
                pass

            def target():
                try:
                    _load()
                except Exception:  # only a head start: the gate loads again and raises the real error
                    pass
            _thread = threading.Thread(target=target, name="gate-preload", daemon=True)
            _thread.start()


def wait() -> None:
    """Join the loading thread if one was started: two threads importing one package at once
    can see each other's half-initialized modules, and a cache filled twice is work lost."""
    with _lock:
        thread = _thread
    if thread is not None:
        thread.join()
