"""The gate's head start (expectations/preload.py): while dbt builds, the dbt step loads Great
Expectations and the facts' input-independent tables, once per process and in its own thread
(a loading thread raced Dagster's lazy imports), and a gate that runs next uses them and still
fails closed on a bad row."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# A fresh interpreter (the test session may have imported Great Expectations already), run
# from a file: pyspark, which GE imports, exits at import under `python -c` (it takes that
# for a doctest run).
SCRIPT = textwrap.dedent("""
    import sys, threading
    import pandas as pd

    started = []
    start = threading.Thread.start

    def recording_start(thread):
        started.append(thread.name)
        start(thread)

    threading.Thread.start = recording_start
    from expectations import facts, preload

    assert "great_expectations" not in sys.modules
    preload.load()
    preload.load()
    # Loaded on return, and no thread was started to load it: a thread importing beside the
    # main one can meet a module the other is half-way through importing.
    assert started == [], started
    assert "great_expectations" in sys.modules
    assert facts.area_code_rows.cache_info().currsize == 1
    assert facts._zip_states.cache_info().currsize == 1
    assert facts._digit_translation.cache_info().currsize == 1

    from expectations.gate import run_suite
    from expectations.suites import suite_for

    suite = [e for e in suite_for({}) if e.name == "no_opted_out_number"]
    good = run_suite(pd.DataFrame({"no_opted_out_number": [0]}), suite, "good")
    bad = run_suite(pd.DataFrame({"no_opted_out_number": [1]}), suite, "bad")
    print(good.success, bad.success, bad.failed, bad.unexpected_counts)
""")


def test_preload_loads_once_and_the_gate_still_blocks(tmp_path):
    script = tmp_path / "preload_check.py"
    script.write_text(SCRIPT)
    done = subprocess.run([sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "True False ['no_opted_out_number'] {'no_opted_out_number': 1}"
