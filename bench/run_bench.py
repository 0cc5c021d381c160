"""`make bench`: generate a large inbox, time every stage of `outreach run`, and write
docs/benchmarks.md with the figures and the peak memory of the run."""

from __future__ import annotations

import argparse
import os
import io
import platform
import re
import threading
import shutil
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

AS_OF = datetime.fromisoformat("2026-11-28T12:00:00-05:00")
STAGES = [("ingest", ("ingest_",)), ("phones", ("phone_reference",)), ("config", ("run_settings",)),
          ("dbt", ("outreach_dbt",)), ("lists", ("lists__",)), ("publish", ("published__",))]


def _count_lines(folder: Path) -> int:
    return sum(path.read_bytes().count(b"\n") for path in folder.iterdir() if path.is_file())


def _tree_rss_bytes(root: int) -> int:
    """Resident bytes of a process and all its descendants, read from /proc."""
    parents, rss = {}, {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
            rss[int(entry)] = int(Path(f"/proc/{entry}/statm").read_text().split()[1]) * page
        except (OSError, IndexError, ValueError):
            continue
    total, frontier = rss.get(root, 0), [root]
    while frontier:
        parent = frontier.pop()
        for pid, ppid in parents.items():
            if ppid == parent:
                total += rss.get(pid, 0)
                frontier.append(pid)
    return total


class _MemorySampler(threading.Thread):
    """Peak resident memory of this process plus its descendants (dbt runs as one)."""

    def __init__(self):
        super().__init__(daemon=True)
        self.peak_mb = 0.0
        self._stopping = threading.Event()

    def run(self):
        while not self._stopping.wait(0.1):
            self.peak_mb = max(self.peak_mb, _tree_rss_bytes(os.getpid()) / 2**20)

    def stop(self):
        self._stopping.set()
        self.join()


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


def _generate(inbox: Path, voters: int, seed: int) -> None:
    subprocess.run([str(Path(sys.executable).parent / "outreach"), "generate", "--out", str(inbox),
                    "--voters", str(voters), "--seed", str(seed), "--as-of", AS_OF.isoformat()], check=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--voters", type=int, default=1_000_000)
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--report", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--seeds", default="1",
                        help="comma-separated generator seeds; the first is timed in full, every one "
                             "reports which lists published or were blocked (issue 9: 1,11,42)")
    parser.add_argument("--skip-api", action="store_true", help="leave out the dialer API figures")
    args = parser.parse_args()
    seeds = [int(seed) for seed in args.seeds.split(",") if seed.strip()]

    from assets import encryption
    from bench.encryption_bench import measure as measure_encryption, report_lines as encryption_report_lines
    from bench.phones_bench import measure_phone_normalization
    from orchestration.runner import run_pipeline
    from configuration.settings import RunSettings

    shutil.rmtree(args.work, ignore_errors=True)
    inbox, home = args.work / "inbox", args.work / "home"
    # Benchmark homes are throwaway: a throwaway key unless one is set.
    key = os.environ.setdefault(encryption.KEY_ENV, encryption.new_key())
    # The generator runs in its own process so the run's peak memory is the run's alone.
    began = time.monotonic()
    _generate(inbox, args.voters, seeds[0])
    generate_seconds = time.monotonic() - began
    counts = {"vote_history": _count_lines(inbox / "vote_history")}

    tee = _Tee()
    sampler = _MemorySampler()
    sampler.start()
    began = time.monotonic()
    status, outcomes = run_pipeline(RunSettings.build(inbox, home, AS_OF), out=tee)
    run_seconds = time.monotonic() - began
    sampler.stop()
    stages = stage_times(tee.lines)
    phones = measure_phone_normalization(2_000_000)
    encryption_figures = measure_encryption(home / "warehouse.duckdb", key)
    by_seed = {seeds[0]: (status, outcomes)}
    for seed in seeds[1:]:
        shutil.rmtree(args.work, ignore_errors=True)
        _generate(inbox, args.voters, seed)
        by_seed[seed] = run_pipeline(RunSettings.build(inbox, home, AS_OF), out=io.StringIO())
    seed_lines = []
    for seed, (seed_status, seed_outcomes) in by_seed.items():
        blocked = [f"{o.name} ({o.detail})" for o in seed_outcomes if not o.published]
        seed_lines.append(f"| {seed} | {seed_status} | {sum(o.published for o in seed_outcomes)} of {len(seed_outcomes)} | "
                          f"{'; '.join(blocked) if blocked else 'none'} |")

    from bench.api_bench import measure as measure_api, report_lines as api_report_lines

    api_figures = measure_api(args.work / "api") if not args.skip_api else None

    rows = [f"| {name} | {seconds:.1f} |" for name, seconds in stages.items()]
    lists = [f"| {o.name} | {o.channel} | {o.rows if o.rows is not None else '-'} | {'PUBLISHED' if o.published else 'BLOCKED'} |"
             for o in outcomes]
    report = "\n".join([
        "# Benchmarks",
        "",
        "Measured by `make bench` (`bench/run_bench.py`); figures are from one run on the machine below.",
        "Tests never assert times; this file is the record. Target (issue 2): the whole run at",
        "1,000,000 voters under 3 minutes on a 2-core, 24 GB machine, peak memory under 4 GB.",
        "",
        f"- date: {datetime.now().date().isoformat()}",
        f"- machine: {platform.machine()}, {platform.system()}, Python {platform.python_version()}, "
        f"{__import__('os').cpu_count()} cores",
        f"- voters: {args.voters:,}; vote history lines (headers included): {counts['vote_history']:,}",
        f"- DuckDB memory limit per process: {os.environ.get('OUTREACH_DUCKDB_MEMORY', '2GB')} (OUTREACH_DUCKDB_MEMORY)",
        "",
        "| step | seconds |",
        "| --- | ---: |",
        f"| generate inbox (`outreach generate`) | {generate_seconds:.1f} |",
        f"| **`outreach run`, total** | **{run_seconds:.1f}** |",
        *rows,
        "",
        f"Peak resident memory of the run, the pipeline process and its dbt subprocess together "
        f"(sampled every 0.1 s): {sampler.peak_mb:,.0f} MB.",
        "",
        f"Phone normalization in SQL (`phone_e164` macro): {phones['numbers_per_second']:,.0f} numbers per second "
        f"({phones['numbers']:,} spellings in {phones['elapsed_seconds']:.2f} s).",
        "",
        f"Exit status {status}.",
        "",
        f"| list | channel | rows (seed {seeds[0]}) | status |",
        "| --- | --- | ---: | --- |",
        *lists,
        "",
        f"Every seed at {args.voters:,} voters, same as-of (issue 9: every list publishes for seeds 1, 11 and 42):",
        "",
        "| seed | exit status | lists published | blocked, and why |",
        "| ---: | ---: | --- | --- |",
        *seed_lines,
        "",
        *encryption_report_lines(encryption_figures),
        *(api_report_lines(api_figures) if api_figures else []),
    ])
    args.report.write_text(report)
    print(f"\nwrote {args.report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
