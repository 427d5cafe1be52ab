# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: install run serve migrate seed test check lint typecheck schema bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required, found " + sys.version.split()[0])'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PY) -m graphql_api migrate

seed: migrate
	$(PY) -m graphql_api seed-demo

run: seed
	$(PY) -m graphql_api serve

test: install check
	$(PY) -m pytest $(PYTEST_ARGS)

check: lint typecheck

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install
	$(VENV)/bin/mypy

schema: install
	$(PY) -m graphql_api export-schema --output schema.graphql

# Node.js is optional: with node and npm, the PostGraphile row installs from
# bench/postgraphile/package-lock.json (npm ci); without them it is skipped.
# `make bench BENCH_ARGS=--quick` for the short run.
bench: install
	$(PY) -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
