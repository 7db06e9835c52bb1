# The two commands of the README:  make demo  and  make test.
SHELL := /bin/bash
VENV ?= .venv
BIN := $(VENV)/bin
PYTHON ?= python3
export DO_NOT_TRACK := 1

.PHONY: setup setup-demo test-servers test-browser emulator demo test bench lint clean

## setup: everything (every extra and the test tools): what `make test` and development need
setup: $(VENV)/.installed profiles.yml

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(VENV)/.installed-demo $@

## setup-demo: only what the DuckDB demo needs (no remote-store clients, BigQuery or Event API libraries)
setup-demo: $(VENV)/.installed-demo profiles.yml

$(VENV)/.installed-demo: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e .
	touch $@

profiles.yml:
	cp profiles.yml.example profiles.yml

## demo: sample files for four retailers -> land -> dbt build -> dbt docs
demo: setup-demo
	$(BIN)/retail-imports demo-data --out data/demo
	$(BIN)/retail-imports run
	$(BIN)/retail-imports status
	$(BIN)/dbt docs generate --quiet
	@echo "Demo built in warehouse/retail.duckdb. Browse the docs: $(BIN)/dbt docs serve"

## test-servers: what the source tests start on 127.0.0.1 besides PyPI's (Azurite, the Azure Blob emulator)
test-servers: node_modules/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

## test-browser: headless Chromium for the import report's screenshot test (Debian package; skipped if apt-get cannot)
test-browser:
	@command -v chromium >/dev/null || command -v chromium-browser >/dev/null || \
	  ($$( [ "$$(id -u)" = 0 ] || echo sudo -n ) apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive $$( [ "$$(id -u)" = 0 ] || echo sudo -n ) apt-get install -y -q --no-install-recommends chromium >/dev/null) || \
	  echo "chromium not installed: the report's browser test will be skipped"


## emulator: the local BigQuery emulator of tests/bigquery, in its own venv (it pins another duckdb)
emulator: .venv-crucible/.installed

.venv-crucible/.installed: requirements-emulator.txt
	$(PYTHON) -m venv .venv-crucible
	.venv-crucible/bin/pip install --quiet --disable-pip-version-check -r requirements-emulator.txt
	touch $@

## test: the whole suite (loader, sources on real servers, real files, dbt build on fixtures, sqlfluff)
test: setup test-servers test-browser emulator
	$(BIN)/ruff check loaders tests bench
	$(BIN)/pytest

## bench: loader and build against plain DuckDB (SCALE_MB=600 for the target figures)
SCALE_MB ?= 100
bench: setup
	$(BIN)/python -m bench --scale-mb $(SCALE_MB)

## lint: sqlfluff on the models and dbt tests, ruff on the Python (tests/lint runs the same on a fresh copy).
## The warehouse is an empty in-memory DuckDB: a fresh clone has none yet, and no rule depends on data.
## macros/ is not linted: the dbt templater renders models and tests, not macro files (README "Tests").
lint: setup
	RETAIL_WAREHOUSE=:memory: $(BIN)/sqlfluff lint models tests/dbt
	$(BIN)/ruff check loaders tests bench

clean:
	rm -rf warehouse data/demo target logs
