"""bench/run_bench.py keeps the rows of the sizes a run did not measure, marked with their date."""

from __future__ import annotations

from bench.run_bench import HISTORY_MARKER, carried_rows, incremental_rows, size_rows

REPORT = """# Benchmarks

- date: 2026-12-01

| voters | history rows | generate s (peak MB) | naive script s (peak MB) | `outreach run` cold s | ingest | phones | config | dbt | lists | publish | peak MB | naive / outreach | µs per voter | incremental s | lists published (cold; incremental) |
| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |
| 1,000,000 | 10 | 1 (1) | 1 (1) | **158.5** | 1 | 1 | 1 | 1 | 1 | 1 | 1 | **0.08** | 158 | 94.9 | 16 of 16; 16 of 16 |
| 3,000,000 (measured 2026-11-20) | 30 | 1 (1) | 1 (1) | **399.7** | 1 | 1 | 1 | 1 | 1 | 1 | 1 | **0.09** | 133 | 235.9 | 16 of 16; 16 of 16 |

| voters | incremental s | ingest | phones | config | dbt | lists | publish | peak MB | exit status |
| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
| 1,000,000 | **94.9** | 3.5 | 0.2 | 0.1 | 33.8 | 36.0 | 9.8 | 3,005 | 0 |

| seed | exit status | lists published | blocked |
| ---: | ---: | --- | --- |
| 42 | 0 | 16 of 16 | none |
""" + HISTORY_MARKER + """

| 10,000,000 | old | 1 (1) | 1 (1) | **1** | 1 | 1 | 1 | 1 | 1 | 1 | 1 | **0.01** | 1 | 1 | 0 of 16; - |
"""


def test_sizes_not_run_keep_their_rows_with_their_date(tmp_path):
    report = tmp_path / "benchmarks.md"
    report.write_text(REPORT)
    sizes, incremental = carried_rows(report, [10_000_000])
    assert [voters for voters, _ in sizes] == [1_000_000, 3_000_000]
    assert sizes[0][1].startswith("| 1,000,000 (measured 2026-12-01) | 10 |")
    assert sizes[1][1].startswith("| 3,000,000 (measured 2026-11-20) | 30 |")   # its own date, not the report's
    assert [voters for voters, _ in incremental] == [1_000_000]
    table = size_rows([], sizes)
    assert len(table) == 4 and table[2].startswith("| 1,000,000 (measured")
    assert incremental_rows([], incremental)[2].startswith("| 1,000,000 (measured 2026-12-01) | **94.9**")


def test_a_size_run_again_replaces_its_row(tmp_path):
    report = tmp_path / "benchmarks.md"
    report.write_text(REPORT)
    sizes, incremental = carried_rows(report, [1_000_000, 3_000_000])
    assert sizes == [] and incremental == []
    assert carried_rows(tmp_path / "missing.md", [1]) == ([], [])
