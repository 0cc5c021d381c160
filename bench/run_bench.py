"""`make bench`: generate a large inbox, time every stage of `outreach run`, and write
docs/benchmarks.md with the figures and the peak memory of the run."""

from __future__ import annotations

import argparse
import io
import platform
import re
import resource
import shutil
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

AS_OF = datetime.fromisoformat("2026-11-28T12:00:00-05:00")
STAGES = [("ingest", ("ingest_",)), ("phones", ("phone_reference",)), ("config", ("run_settings",)),
          ("dbt", ("outreach_dbt",)), ("lists", ("lists__",)), ("publish", ("published__",))]


class _Tee(io.TextIOBase):
    def __init__(self):
        self.lines = []

    def write(self, text):
        sys.stdout.write(text)
        self.lines.extend(text.splitlines())
        return len(text)


def stage_times(lines: list[str]) -> dict[str, float]:
    """Sum per stage of step durations, from the runner's '[  t s] step: started/done' lines."""
    started, totals = {}, {name: 0.0 for name, _ in STAGES}
    for line in lines:
        match = re.match(r"\[\s*([\d.]+)s\] (\S+): (started|done|FAILED)$", line)
        if not match:
            continue
        at, step, what = float(match.group(1)), match.group(2), match.group(3)
        if what == "started":
            started[step] = at
        elif step in started:
            for name, prefixes in STAGES:
                if step.startswith(prefixes):
                    totals[name] += at - started[step]
    return totals


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--voters", type=int, default=1_000_000)
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--report", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args()

    from bench.phones_bench import measure_phone_normalization
    from orchestration.generator import generate_inbox
    from orchestration.runner import run_pipeline
    from orchestration.settings import RunSettings

    shutil.rmtree(args.work, ignore_errors=True)
    inbox, home = args.work / "inbox", args.work / "home"
    began = time.monotonic()
    counts = generate_inbox(inbox, voters=args.voters, seed=1, as_of=AS_OF, progress=lambda m: print(f"  {m}"))
    generate_seconds = time.monotonic() - began

    tee = _Tee()
    began = time.monotonic()
    status, outcomes = run_pipeline(RunSettings.build(inbox, home, AS_OF), out=tee)
    run_seconds = time.monotonic() - began
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    peak_child_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    stages = stage_times(tee.lines)
    phones = measure_phone_normalization(2_000_000)

    rows = [f"| {name} | {seconds:.1f} |" for name, seconds in stages.items()]
    lists = [f"| {o.name} | {o.channel} | {o.rows if o.rows is not None else '-'} | {'PUBLISHED' if o.published else 'BLOCKED'} |"
             for o in outcomes]
    report = "\n".join([
        "# Benchmarks",
        "",
        "Measured by `make bench` (`bench/run_bench.py`); figures are from one run on the machine below.",
        "Tests never assert times; this file is the record.",
        "",
        f"- date: {datetime.now().date().isoformat()}",
        f"- machine: {platform.machine()}, {platform.system()}, Python {platform.python_version()}, "
        f"{__import__('os').cpu_count()} cores",
        f"- voters: {args.voters:,}; vote history rows: {counts.get('vote_history', 0):,}; all inbox rows: {sum(counts.values()):,}",
        "",
        "| step | seconds |",
        "| --- | ---: |",
        f"| generate inbox (`outreach generate`) | {generate_seconds:.1f} |",
        f"| **`outreach run`, total** | **{run_seconds:.1f}** |",
        *rows,
        "",
        f"Peak resident memory: {peak_mb:,.0f} MB in the pipeline process (generator included), "
        f"{peak_child_mb:,.0f} MB in the largest subprocess (dbt).",
        "",
        f"Phone normalization in SQL (`phone_e164` macro): {phones['numbers_per_second']:,.0f} numbers per second "
        f"({phones['n']:,} spellings in {phones['elapsed_seconds']:.2f} s).",
        "",
        f"Exit status {status}.",
        "",
        "| list | channel | rows | status |",
        "| --- | --- | ---: | --- |",
        *lists,
        "",
    ])
    args.report.write_text(report)
    print(f"\nwrote {args.report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
