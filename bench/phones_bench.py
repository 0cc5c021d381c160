"""Throughput of the dbt macro phone_e164 in DuckDB over realistic phone spellings.

Run as a script (`.venv/bin/python bench/phones_bench.py [n]`) or call
measure_phone_normalization() from the overall benchmark.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assets import encryption  # noqa: E402
from assets.phones import build_reference_tables  # noqa: E402
from assets.warehouse import connect  # noqa: E402

DBT_PROJECT = ROOT / "dbt_project"
MACRO_QUERY = "select id, {{ phone_e164('s') }} as e164 from spellings"

# How inbox files spell phones: voter files and DNC lists mostly bare ten digits, ActBlue
# and Mobilize E.164 or (919) 555-0142, hand-kept opt-out lists anything. Weights in percent.
SPELLINGS_SQL = """
create or replace table spellings as
with prefixes as (
    select prefix, row_number() over (order by prefix) - 1 as position from ref.phone_prefixes
),
draws as (
    select range as id, hash(range) as h, hash(range + 7919) as g,
           hash(range) % (select count(*) from prefixes) as position
    from range($n)
),
numbers as (
    select
        id,
        g % 100 as style,
        -- one number in 25 has an exchange chosen at random, often not a valid one
        case when h % 25 = 0 then prefix // 1000 * 1000 + (g // 100) % 1000 else prefix end as npa_nxx,
        (h // 1000) % 10000 as line
    from draws
    join prefixes using (position)
)
select
    id,
    case
        when style < 35 then printf('%06d%04d', npa_nxx, line)
        when style < 50 then printf('+1%06d%04d', npa_nxx, line)
        when style < 65 then printf('(%03d) %03d-%04d', npa_nxx // 1000, npa_nxx % 1000, line)
        when style < 77 then printf('%03d-%03d-%04d', npa_nxx // 1000, npa_nxx % 1000, line)
        when style < 82 then printf('%03d.%03d.%04d', npa_nxx // 1000, npa_nxx % 1000, line)
        when style < 87 then printf('1-%03d-%03d-%04d', npa_nxx // 1000, npa_nxx % 1000, line)
        when style < 90 then printf('+1 %03d %03d %04d', npa_nxx // 1000, npa_nxx % 1000, line)
        when style < 93 then printf('%03d-%03d-%04d x%d', npa_nxx // 1000, npa_nxx % 1000, line, line % 1000)
        when style < 95 then printf('  %03d %03d %04d ', npa_nxx // 1000, npa_nxx % 1000, line)
        when style < 96 then printf('%03d-%04d', npa_nxx % 1000, line)
        when style < 97 then printf('1%06d%04d%d', npa_nxx, line, style % 10)
        when style < 98 then 'n/a'
        when style < 99 then ''
        else null
    end as s
from numbers
"""


def render_macro(warehouse: Path, work: Path) -> str:
    """The SQL dbt renders for the macro (the same path models take)."""
    dbt = Path(sys.executable).with_name("dbt")
    env = {**os.environ, "OUTREACH_WAREHOUSE": str(warehouse), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    result = subprocess.run(
        [str(dbt), "compile", "--quiet", "--no-use-colors",
         "--project-dir", str(DBT_PROJECT), "--profiles-dir", str(DBT_PROJECT),
         "--target-path", str(work / "target"), "--log-path", str(work / "logs"),
         "--inline", MACRO_QUERY],
        env=env, capture_output=True, text=True, timeout=300,
    )
    if result.returncode != 0:
        raise RuntimeError(f"dbt compile failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout.strip()


def measure_phone_normalization(n: int = 2_000_000) -> dict:
    """Normalize n realistic spellings with the rendered macro; returns numbers per second,
    elapsed seconds (materializing the result table), rows and valid share."""
    # The scratch warehouse is encrypted like a real one (dbt attaches it with a key); a throwaway
    # key when none is set.
    key = os.environ.get(encryption.KEY_ENV) or encryption.new_key()
    os.environ[encryption.DBT_KEY_ENV] = key
    with tempfile.TemporaryDirectory(prefix="phones_bench_") as scratch:
        work = Path(scratch)
        warehouse = work / "warehouse.duckdb"
        with connect(warehouse, key=key) as con:
            build_reference_tables(con)
        sql = render_macro(warehouse, work)
        with connect(warehouse, key=key) as con:
            con.execute(SPELLINGS_SQL, {"n": n})
            began = time.perf_counter()
            con.execute(f"create or replace table normalized as {sql}")
            elapsed = time.perf_counter() - began
            valid = con.execute("select count(e164) from normalized").fetchone()[0]
            threads = con.execute("select current_setting('threads')").fetchone()[0]
    return {
        "numbers": n,
        "elapsed_seconds": round(elapsed, 3),
        "numbers_per_second": round(n / elapsed),
        "valid_share": round(valid / n, 3),
        "threads": threads,
    }


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2_000_000
    figures = measure_phone_normalization(n)
    print(
        f"phone_e164: {figures['numbers']:,} spellings in {figures['elapsed_seconds']:.2f} s = "
        f"{figures['numbers_per_second']:,} numbers/s ({figures['threads']} threads, "
        f"{figures['valid_share']:.1%} valid)"
    )


if __name__ == "__main__":
    main()
