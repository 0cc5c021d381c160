# Every target builds the virtual environment from pyproject.toml first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: venv demo test dev serve bench bench-api clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev,spark]'
	$(BIN)/dbt parse --project-dir dbt_project --profiles-dir dbt_project --quiet
	touch $(STAMP)

demo: venv
	$(BIN)/outreach demo

test: venv
	$(BIN)/pytest -q

dev: venv
	DAGSTER_HOME=$(CURDIR)/data/dagster_home; mkdir -p $$DAGSTER_HOME; \
	DAGSTER_HOME=$$DAGSTER_HOME $(BIN)/dagster dev -h 127.0.0.1 -w workspace.yaml

serve: venv
	$(BIN)/outreach serve --home data/home

bench-api: venv
	$(BIN)/python bench/api_bench.py

bench: venv
	$(BIN)/python bench/run_bench.py --voters 1000000 --seeds 1,11,42

clean:
	rm -rf $(VENV) data dbt_project/target dbt_project/logs

.PHONY: bench-spark
# The 1,000,000-voter run on each engine (docs/scale-out.md); appends its table there.
bench-spark: venv
	$(BIN)/python bench/spark_bench.py --voters 1000000 --report docs/scale-out.md
