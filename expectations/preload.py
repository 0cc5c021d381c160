"""A head start for the gates: what they load that does not depend on the run's data.

The first gate of a run used to pay for importing Great Expectations (it imports pyspark,
SQLAlchemy and Altair because they are installed) and for the facts' input-independent
tables (the ZIP-to-state map of the `zipcodes` package, the area-code states from
phonenumbers' geocoder, the Unicode digit map): seconds on an idle machine, tens on a busy
one, mostly waiting on the disk. The dbt step calls `load` once dbt's own process has
started (assets/dbt.py), so the loading overlaps the build. Nothing here reads the
warehouse, so the gate's facts are still derived after dbt, from the inputs only.

It loads in the calling thread, not in a thread of its own: a loading thread once imported
SQLAlchemy's ORM (through Great Expectations) while Dagster's event storage imported it in
the main thread, and a run at 10M failed on the half-initialized module ("partially
initialized module 'sqlalchemy.orm.exc'"). Any module both import lazily can race that way,
so none is imported beside the main thread."""

from __future__ import annotations

_loaded = False


def load() -> None:
    """Load, once per process. Only a head start: a failure is ignored here, and the gate that
    needs what failed loads it again and raises the real error."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    from . import facts, gate

    try:
        facts.area_code_rows()
        facts._zip_states()
        facts._digit_translation()
        gate.import_gx()
    except Exception:  # noqa: BLE001 - see above
        pass
