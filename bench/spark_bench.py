"""The same run as `bench/run_bench.py`, once per engine: `outreach run --engine duckdb` and
`--engine spark` (local mode) on one generated inbox, with the same stage timings; prints a
Markdown table and, with --report, appends it to that file (docs/scale-out.md keeps the record).

    python bench/spark_bench.py --voters 1000000 [--report docs/scale-out.md]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run_bench import AS_OF, STAGES, _outreach, list_outcomes, stage_times, timed  # noqa: E402


def timed_run(inbox: Path, home: Path, engine: str) -> dict:
    """One cold `outreach run` (a process of its own, as `make bench` runs it): wall time and stages."""
    run = timed([_outreach(), "run", "--inbox", str(inbox), "--home", str(home), "--as-of", AS_OF.isoformat(),
                 "--engine", engine])
    return {"engine": engine, "status": run.status, "total": run.seconds, "stages": stage_times(run.lines),
            "peak_mb": run.peak_mb, "rows": {name: rows for name, _, rows, _ in list_outcomes(run.lines)},
            "dbt_nodes": dbt_node_times(home)}


def dbt_node_times(home: Path) -> dict[str, float]:
    """Seconds per model of the last dbt invocation (on Spark: the staging views' DuckDB pass)."""
    import json

    results = home / "dbt_target" / "run_results.json"
    if not results.is_file():
        return {}
    return {row["unique_id"]: row["execution_time"] for row in json.loads(results.read_text())["results"]}


def report_lines(voters: int, runs: list[dict]) -> list[str]:
    same = all(run["rows"] == runs[0]["rows"] for run in runs)
    return [
        f"### {voters:,} voters, {datetime.now().date().isoformat()}, {os.cpu_count()} cores",
        "",
        "| seconds | " + " | ".join(run["engine"] for run in runs) + " |",
        "| --- | " + " | ".join("---:" for _ in runs) + " |",
        "| **`outreach run`, total** | " + " | ".join(f"**{run['total']:.1f}**" for run in runs) + " |",
        *[f"| {name} | " + " | ".join(f"{run['stages'][name]:.1f}" for run in runs) + " |" for name, _ in STAGES],
        "| peak memory, MB | " + " | ".join(f"{run['peak_mb']:,.0f}" for run in runs) + " |",
        "| exit status | " + " | ".join(str(run["status"]) for run in runs) + " |",
        "",
        f"Rows per list {'identical' if same else 'DIFFERENT'} across engines.",
        "",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--voters", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--engines", default="duckdb,spark")
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "out_spark")
    parser.add_argument("--report", type=Path, default=None, help="append the table to this Markdown file")
    args = parser.parse_args()

    from assets import encryption

    shutil.rmtree(args.work, ignore_errors=True)
    os.environ.setdefault(encryption.KEY_ENV, encryption.new_key())  # throwaway homes, throwaway key
    inbox = args.work / "inbox"
    generated = timed([_outreach(), "generate", "--out", str(inbox), "--voters", str(args.voters), "--seed", str(args.seed),
                       "--as-of", AS_OF.isoformat()], echo=False)
    if generated.status:
        print("\n".join(generated.lines[-20:]))
        return 2
    runs = [timed_run(inbox, args.work / f"home_{engine}", engine) for engine in args.engines.split(",")]
    lines = report_lines(args.voters, runs)
    for run in runs:
        slowest = sorted(run["dbt_nodes"].items(), key=lambda item: -item[1])[:8]
        print(f"{run['engine']}: slowest dbt nodes of the last pass: " + ", ".join(f"{node} {seconds:.1f}s" for node, seconds in slowest))
    print("\n".join(lines))
    if args.report:
        with args.report.open("a") as report:
            report.write("\n".join(lines) + "\n")
    return 0 if len({run["status"] for run in runs}) == 1 else 1


if __name__ == "__main__":
    raise SystemExit(main())
