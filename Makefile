# Every target builds the virtual environment from pyproject.toml first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: venv demo test test-spark dev serve bench bench-api clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev,spark]'
	$(BIN)/dbt parse --project-dir dbt_project --profiles-dir dbt_project --quiet
	touch $(STAMP)

# The demo is recorded into the instance `make dev` opens: its run, materializations, checks
# and metadata are in the UI on first open.
DAGSTER_HOME_DIR := $(CURDIR)/data/dagster_home

demo: venv
	mkdir -p $(DAGSTER_HOME_DIR); touch $(DAGSTER_HOME_DIR)/dagster.yaml
	DAGSTER_HOME=$(DAGSTER_HOME_DIR) $(BIN)/outreach demo

test: venv
	$(BIN)/pytest -q

# The Spark tests alone (`make test` runs them too): the whole inbox through --engine spark
# against the DuckDB run, and the phone normalizer on Spark (docs/scale-out.md).
test-spark: venv
	$(BIN)/pytest -q tests/test_spark_differential.py tests/test_phone_differential_spark.py

dev: venv
	mkdir -p $(DAGSTER_HOME_DIR); touch $(DAGSTER_HOME_DIR)/dagster.yaml
	DAGSTER_HOME=$(DAGSTER_HOME_DIR) $(BIN)/dagster dev -h 127.0.0.1 -w workspace.yaml

serve: venv
	$(BIN)/outreach serve --home data/home

bench-api: venv
	$(BIN)/python bench/api_bench.py

# State sizes, comma-separated: `make bench BENCH_VOTERS=10000000` or 1000000,3000000,10000000
# (sizes not run keep their last row in docs/benchmarks.md, marked with its date).
# BENCH_SEEDS: the first is timed at every size, the others only checked for published lists at
# the first size. BENCH_ARGS: more options of bench/run_bench.py (--skip-api, --keep). BENCH_NOTE:
# a line for the report; it reaches the script through the environment, never the shell's parser,
# so parentheses and quotes in it are safe.
# BENCH_SPARK=1 (the default) then runs `make bench-spark`: the 1,000,000-voter run on Spark
# local beside DuckDB, recorded in docs/scale-out.md (about 15 more minutes); 0 leaves it out.
BENCH_VOTERS ?= 1000000,3000000
BENCH_SEEDS ?= 11
BENCH_ARGS ?=
BENCH_NOTE ?=
export BENCH_NOTE
BENCH_SPARK ?= 1

bench: venv
	$(BIN)/python bench/run_bench.py --voters $(BENCH_VOTERS) --seeds $(BENCH_SEEDS) $(BENCH_ARGS)
	if [ "$(BENCH_SPARK)" = "1" ]; then $(MAKE) bench-spark; fi

clean:
	rm -rf $(VENV) data dbt_project/target dbt_project/logs

.PHONY: bench-spark
# The 1,000,000-voter run on each engine (docs/scale-out.md); appends its table there. Seed 11
# as `make bench`; a 6 GB driver heap (the 1M run peaked at 8 GB of process tree with it).
OUTREACH_SPARK_MEMORY ?= 6g
bench-spark: venv
	OUTREACH_SPARK_MEMORY=$(OUTREACH_SPARK_MEMORY) $(BIN)/python bench/spark_bench.py --voters 1000000 --seed 11 --report docs/scale-out.md
