"""`make bench`: for each state size, generate an inbox, run the naive baseline script and
`outreach run` on it, then an incremental refresh, and write docs/benchmarks.md (issue 12).

    python bench/run_bench.py --voters 1000000,3000000        # make bench
    python bench/run_bench.py --voters 10000000 --skip-api     # make bench BENCH_VOTERS=10000000

Per size: `outreach generate` (time, peak memory), `bench/naive_script.py` (time, peak),
a cold `outreach run` (total, each stage from the runner's step lines, peak resident memory
of its whole process tree, lists published), then an incremental refresh: one new opt-out
file, a DNC change list and 1,000 inbound replies added to the inbox and `outreach run` again
on the same home, an hour later (whatever the incremental path is, this measures it). An
hour later, because a real refresh's as-of is now: the schedule, the sensor and `outreach
run` without --as-of all take it. Every program runs as
its own process, so each peak is that program's alone. The inbox and home of a size are
deleted before the next size (a 10M inbox is about 14 GB) unless --keep.

The previous contents of the report are kept below the new figures as history, dated; the
rows of sizes this run did not measure also stay in the tables, marked with their date.
Tests never assert times; this file is the record.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import re
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

AS_OF = datetime.fromisoformat("2026-11-28T12:00:00-05:00")
# The refresh's as-of: the same UTC day, an hour on (before 2026-12-05 it was AS_OF itself).
REFRESH_AS_OF = AS_OF + timedelta(hours=1)
STAGES = [("ingest", ("ingest_",)), ("phones", ("phone_reference",)), ("config", ("run_settings",)),
          ("dbt", ("outreach_dbt",)), ("lists", ("lists__",)), ("publish", ("published__",))]
HISTORY_MARKER = "<!-- history: older figures below, newest first -->"
INBOUND_REPLIES = 1_000


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
    """Peak resident memory of one process plus its descendants (dbt runs as one), every 0.1 s."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_mb = 0.0
        self._stopping = threading.Event()

    def run(self):
        while not self._stopping.wait(0.1):
            self.peak_mb = max(self.peak_mb, _tree_rss_bytes(self.pid) / 2**20)

    def stop(self):
        self._stopping.set()
        self.join()


@dataclass
class Timed:
    seconds: float
    peak_mb: float
    lines: list[str] = field(default_factory=list)
    status: int = 0


def timed(command: list[str], echo: bool = True) -> Timed:
    """Run `command`, echoing its output, and measure its wall time and process-tree peak memory."""
    began = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
    sampler = _MemorySampler(process.pid)
    sampler.start()
    lines = []
    for line in process.stdout:
        lines.append(line.rstrip("\n"))
        if echo:
            sys.stdout.write(line)
            sys.stdout.flush()
    status = process.wait()
    seconds = time.monotonic() - began
    sampler.stop()
    return Timed(seconds, sampler.peak_mb, lines, status)


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


def list_outcomes(lines: list[str]) -> list[tuple[str, str, str, str]]:
    """(name, channel, rows, PUBLISHED|BLOCKED) from `outreach run`'s one line per list."""
    found = []
    for line in lines:
        match = re.match(r"^(\S+)\s+(\S+)\s+([\d,]+|-)\s+(PUBLISHED|BLOCKED)\b", line)
        if match:
            found.append(match.groups())
    return found


def _outreach() -> str:
    return str(Path(sys.executable).parent / "outreach")


def _run(inbox: Path, home: Path, as_of: datetime = AS_OF) -> Timed:
    return timed([_outreach(), "run", "--inbox", str(inbox), "--home", str(home), "--as-of", as_of.isoformat()])


def add_incremental_inputs(inbox: Path, replies: int = INBOUND_REPLIES) -> dict[str, str]:
    """One new opt-out file, one DNC change list and `replies` inbound replies, all dated before
    as-of and naming numbers of the inbox's own line-type records (real voters' numbers)."""
    with (inbox / "line_types" / "line_types.csv").open(newline="") as handle:
        reader = csv.DictReader(handle)
        phones = [row["phone"] for _, row in zip(range(replies + 10), reader)]
    received = (AS_OF - timedelta(hours=2)).isoformat()
    opt_out = inbox / "opt_outs" / "bench_incremental_opt_out.csv"
    opt_out.write_text(f"phone,received_at,channel,source,reason\n{phones[0]},{received},all,bench,stop\n")
    day = AS_OF.date() - timedelta(days=1)
    while (inbox / "dnc" / "federal" / f"dnc_changes_{day:%Y%m%d}.txt").exists():
        day -= timedelta(days=1)
    digits = [re.sub(r"\D", "", phone)[-10:] for phone in phones[1:6]]
    dnc = inbox / "dnc" / "federal" / f"dnc_changes_{day:%Y%m%d}.txt"
    dnc.write_text("".join(f"{d[:3]},{d[3:]},{'A' if i % 2 else 'D'}\n" for i, d in enumerate(digits)))
    sms = inbox / "inbound_sms" / "bench_incremental_replies.csv"
    with sms.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["phone", "received_at", "body"])
        for index, phone in enumerate((phones * 2)[:replies]):
            writer.writerow([phone, received, "STOP" if index % 10 == 0 else "thanks, see you there"])
    return {"opt_out": opt_out.name, "dnc": dnc.name, "inbound_sms": sms.name}


@dataclass
class SizeResult:
    voters: int
    seed: int
    generate: Timed
    naive: Timed | None
    cold: Timed
    incremental: Timed | None
    history_rows: int = 0

    @property
    def ratio(self) -> float | None:
        return self.naive.seconds / self.cold.seconds if self.naive and self.cold.seconds else None


def measure_size(voters: int, seed: int, work: Path, naive: bool, incremental: bool, keep: bool) -> tuple[SizeResult, Path]:
    inbox, home = work / f"inbox-{voters}", work / f"home-{voters}"
    shutil.rmtree(inbox, ignore_errors=True)
    shutil.rmtree(home, ignore_errors=True)
    print(f"\n== {voters:,} voters: generate", flush=True)
    generate = timed([_outreach(), "generate", "--out", str(inbox), "--voters", str(voters), "--seed", str(seed),
                      "--as-of", AS_OF.isoformat()])
    if generate.status != 0:
        raise SystemExit(f"outreach generate --voters {voters} failed (exit status {generate.status}); "
                         "its output is above")
    match = re.search(r"vote_history: ([\d,]+) rows", "\n".join(generate.lines))
    history_rows = int(match.group(1).replace(",", "")) if match else 0
    naive_result = None
    if naive:
        print(f"== {voters:,} voters: naive script", flush=True)
        naive_result = timed([sys.executable, str(ROOT / "bench" / "naive_script.py"), str(inbox),
                              str(work / f"naive-{voters}.csv")])
    print(f"== {voters:,} voters: outreach run (cold)", flush=True)
    cold = _run(inbox, home)
    refresh = None
    if incremental:
        added = add_incremental_inputs(inbox)
        print(f"== {voters:,} voters: outreach run (incremental: {', '.join(added.values())})", flush=True)
        refresh = _run(inbox, home, REFRESH_AS_OF)
    result = SizeResult(voters, seed, generate, naive_result, cold, refresh, history_rows)
    (work / f"naive-{voters}.csv").unlink(missing_ok=True)
    if not keep:
        shutil.rmtree(inbox, ignore_errors=True)
    return result, home


def _published(timed_run: Timed | None) -> str:
    if timed_run is None:
        return "-"
    outcomes = list_outcomes(timed_run.lines)
    return f"{sum(o[3] == 'PUBLISHED' for o in outcomes)} of {len(outcomes)}"


def size_rows(results: list[SizeResult], carried: list[tuple[int, str]] = ()) -> list[str]:
    def seconds(value: float | None) -> str:
        return "-" if value is None else f"{value:,.1f}"

    header = [
        "| voters | history rows | generate s (peak MB) | naive script s (peak MB) | `outreach run` cold s | "
        "ingest | phones | config | dbt | lists | publish | peak MB | naive / outreach | µs per voter | "
        "incremental s | lists published (cold; incremental) |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    rows = list(carried)
    for r in results:
        stages = stage_times(r.cold.lines)
        rows.append((r.voters,
            f"| {r.voters:,} | {r.history_rows:,} | {r.generate.seconds:,.1f} ({r.generate.peak_mb:,.0f}) | "
            + (f"{r.naive.seconds:,.1f} ({r.naive.peak_mb:,.0f})" if r.naive else "-")
            + f" | **{r.cold.seconds:,.1f}** | " + " | ".join(seconds(stages[name]) for name, _ in STAGES)
            + f" | {r.cold.peak_mb:,.0f} | " + (f"**{r.ratio:.2f}**" if r.ratio else "-")
            + f" | {r.cold.seconds / r.voters * 1e6:,.0f} | "
            + (seconds(r.incremental.seconds) if r.incremental else "-")
            + f" | {_published(r.cold)}; {_published(r.incremental)} |"))
    return header + [line for _, line in sorted(rows, key=lambda row: row[0])]


def incremental_rows(results: list[SizeResult], carried: list[tuple[int, str]] = ()) -> list[str]:
    header = ["| voters | incremental s | " + " | ".join(name for name, _ in STAGES) + " | peak MB | exit status |",
              "| ---: | ---: | " + " | ".join("---:" for _ in STAGES) + " | ---: | ---: |"]
    rows = list(carried)
    for r in results:
        if r.incremental is None:
            continue
        stages = stage_times(r.incremental.lines)
        rows.append((r.voters, f"| {r.voters:,} | **{r.incremental.seconds:,.1f}** | "
                     + " | ".join(f"{stages[name]:,.1f}" for name, _ in STAGES)
                     + f" | {r.incremental.peak_mb:,.0f} | {r.incremental.status} |"))
    return header + [line for _, line in sorted(rows, key=lambda row: row[0])]


def carried_rows(report: Path, sizes: list[int]) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """The report's current rows (size table, incremental table) of the sizes this run did not
    measure, each marked with the date it was measured, so `make bench BENCH_VOTERS=10000000`
    adds the 10M row beside the earlier 1M and 3M ones instead of hiding them in the history."""
    if not report.exists():
        return [], []
    current = report.read_text().partition(HISTORY_MARKER)[0]
    date = next((line[len("- date: "):].strip() for line in current.splitlines() if line.startswith("- date: ")),
                "an earlier day")
    sizes_rows, incremental = [], []
    for line in current.splitlines():
        match = re.match(r"^\| ([\d,]+)( \(measured [^)]*\))? \|", line)
        if not match:
            continue
        voters = int(match.group(1).replace(",", ""))
        if voters in sizes:
            continue
        if not match.group(2):
            line = line.replace(f"| {match.group(1)} |", f"| {match.group(1)} (measured {date}) |", 1)
        cells = line.count("|") - 1
        if cells == 10 + len(STAGES):          # the size table
            sizes_rows.append((voters, line))
        elif cells == 4 + len(STAGES):         # the incremental table (other tables have other widths)
            incremental.append((voters, line))
    return sizes_rows, incremental


def previous_history(report: Path) -> list[str]:
    """The report's earlier contents as history: its latest figures, dated, then its older history."""
    if not report.exists():
        return []
    text = report.read_text()
    current, _, older = text.partition(HISTORY_MARKER)
    lines = current.strip().splitlines()
    if lines and lines[0].startswith("# "):
        lines = lines[1:]
    date = next((re.sub(r"^- date: ", "", line) for line in lines if line.startswith("- date: ")), "an earlier day")
    demoted = [("#" + line) if line.startswith("## ") else line for line in lines]
    return [f"## Earlier figures ({date})", "", *demoted, "", *older.strip().splitlines()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--voters", default="1000000,3000000",
                        help="comma-separated state sizes (voters), e.g. 1000000,3000000,10000000")
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--report", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--seeds", default="11",
                        help="comma-separated generator seeds: the first is timed at every size; the others "
                             "are run at the first size only, to report which lists publish (issue 9: 1,11,42)")
    parser.add_argument("--note", default=os.environ.get("BENCH_NOTE", ""),
                        help="a line for the report (e.g. what else the machine was doing); default $BENCH_NOTE")
    parser.add_argument("--skip-api", action="store_true", help="leave out the dialer API figures")
    parser.add_argument("--skip-naive", action="store_true", help="leave out the naive baseline script")
    parser.add_argument("--skip-incremental", action="store_true", help="leave out the incremental refresh")
    parser.add_argument("--keep", action="store_true", help="keep each size's inbox (deleted by default: disk)")
    args = parser.parse_args()
    sizes = [int(size.replace("_", "")) for size in args.voters.split(",") if size.strip()]
    seeds = [int(seed) for seed in args.seeds.split(",") if seed.strip()]

    from assets import encryption
    from assets.warehouse import memory_limit
    from bench.encryption_bench import measure as measure_encryption, report_lines as encryption_report_lines
    from bench.phones_bench import measure_phone_normalization

    # Benchmark homes are throwaway: a throwaway key unless one is set (the subprocesses inherit it).
    key = os.environ.setdefault(encryption.KEY_ENV, encryption.new_key())
    args.work.mkdir(parents=True, exist_ok=True)
    results, encryption_figures = [], None
    for index, voters in enumerate(sizes):
        result, home = measure_size(voters, seeds[0], args.work, not args.skip_naive, not args.skip_incremental,
                                    args.keep)
        results.append(result)
        if index == 0:
            encryption_figures = measure_encryption(home / "warehouse.duckdb", key)
        if not args.keep:
            shutil.rmtree(home, ignore_errors=True)
    seed_lines = []
    for seed in seeds[1:]:
        inbox, home = args.work / f"inbox-seed-{seed}", args.work / f"home-seed-{seed}"
        shutil.rmtree(home, ignore_errors=True)
        timed([_outreach(), "generate", "--out", str(inbox), "--voters", str(sizes[0]), "--seed", str(seed),
               "--as-of", AS_OF.isoformat()], echo=False)
        run = _run(inbox, home)
        blocked = [f"{o[0]}" for o in list_outcomes(run.lines) if o[3] != "PUBLISHED"]
        seed_lines.append(f"| {seed} | {run.status} | {_published(run)} | {', '.join(blocked) or 'none'} |")
        shutil.rmtree(inbox, ignore_errors=True)
        shutil.rmtree(home, ignore_errors=True)
    phones = measure_phone_normalization(2_000_000)

    api_figures = None
    if not args.skip_api:
        from bench.api_bench import measure as measure_api

        api_figures = measure_api(args.work / "api")
    from bench.api_bench import report_lines as api_report_lines

    first = results[0]
    lists = [f"| {name} | {channel} | {rows} | {status} |" for name, channel, rows, status in list_outcomes(first.cold.lines)]
    carried_sizes, carried_incremental = carried_rows(args.report, sizes)
    history = previous_history(args.report)
    report = "\n".join([
        "# Benchmarks",
        "",
        "Measured by `make bench` (`bench/run_bench.py`, issue 12); figures are from one run on the machine",
        "below. Tests never assert times; this file is the record. Targets (issue 12): at 1,000,000 voters",
        "faster than the naive script (ratio naive / outreach at least 1.0); at 10,000,000 voters a cold run",
        "in at most 5 minutes with peak memory at most 8 GB; an incremental refresh in at most 30 s.",
        "",
        f"- date: {datetime.now().date().isoformat()}",
        f"- machine: {platform.machine()}, {platform.system()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} cores",
        f"- generator seed {seeds[0]}, as-of {AS_OF.isoformat()}",
        f"- DuckDB memory limit per process: {memory_limit()} (OUTREACH_DUCKDB_MEMORY, or a quarter of the machine's memory)",
        *([f"- note: {args.note}"] if args.note else []),
        "",
        "The naive script (`bench/naive_script.py`) is the baseline, not a compliant tool: pandas +",
        "phonenumbers, one manual-call list from the NC voter files with three rules (opt-outs, federal",
        "DNC, invalid numbers). It runs on the same inbox in the same bench run. Peak memory is the",
        "resident memory of the program's whole process tree (dbt included), sampled every 0.1 s.",
        "Incremental: after the cold run, one new opt-out file, a DNC change list and "
        f"{INBOUND_REPLIES:,} inbound replies are added and `outreach run` runs again on the same home, "
        f"at as-of {REFRESH_AS_OF.isoformat()}, an hour after the cold run's, as a real refresh's as-of is now "
        "(rows measured before 2026-12-05 ran it at the cold run's as-of).",
        "",
        *size_rows(results, carried_sizes),
        *(["", "A size marked (measured DATE) was not run this time: its row is the last run's at that size."]
          if carried_sizes else []),
        "",
        "Incremental refresh, by stage (seconds):",
        "",
        *incremental_rows(results, carried_incremental),
        "",
        f"Phone normalization in SQL (`phone_e164` macro): {phones['numbers_per_second']:,.0f} numbers per second "
        f"({phones['numbers']:,} spellings in {phones['elapsed_seconds']:.2f} s).",
        "",
        f"| list | channel | rows ({first.voters:,} voters, seed {first.seed}, cold) | status |",
        "| --- | --- | ---: | --- |",
        *lists,
        "",
        *([f"Other seeds at {sizes[0]:,} voters, same as-of (issue 9):", "",
           "| seed | exit status | lists published | blocked |", "| ---: | ---: | --- | --- |", *seed_lines, ""]
          if seed_lines else []),
        *(encryption_report_lines(encryption_figures) if encryption_figures else []),
        *(api_report_lines(api_figures) if api_figures else []),
        HISTORY_MARKER,
        "",
        *history,
        "",
    ])
    args.report.write_text(report)
    print(f"\nwrote {args.report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
