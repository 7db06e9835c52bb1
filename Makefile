# The two commands of the README:  make demo  and  make test.
SHELL := /bin/bash
VENV ?= .venv
BIN := $(VENV)/bin
PYTHON ?= python3
export DO_NOT_TRACK := 1

.PHONY: setup demo test lint docs clean

setup: $(VENV)/.installed profiles.yml

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

profiles.yml:
	cp profiles.yml.example profiles.yml

## demo: sample files for three retailers -> land -> dbt build -> dbt docs
demo: setup
	$(BIN)/retail-imports demo-data --out data/demo
	$(BIN)/retail-imports run
	$(BIN)/retail-imports status
	$(BIN)/dbt docs generate --quiet
	@echo "Demo built in warehouse/retail.duckdb. Browse the docs: $(BIN)/dbt docs serve"

## test: the whole suite (loader, real files, dbt build on fixtures, sqlfluff)
test: setup
	$(BIN)/pytest

lint: setup
	$(BIN)/sqlfluff lint models macros

clean:
	rm -rf warehouse data/demo target logs
