# certgov — the two commands: `make run` and `make test`. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install run serve test check lint typecheck imports migrations-check pytest browser bench screenshots clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

## make run: install, migrate the embedded database, load demo data if empty, serve :8000
run: install
	$(BIN)/certgov db upgrade
	$(BIN)/certgov demo load --if-empty
	$(BIN)/certgov serve --host 127.0.0.1 --port 8000

## make check: lint, types, import layers, migration drift
check: lint typecheck imports migrations-check

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: install
	$(BIN)/mypy src

## the layers of docs/architecture.md (contracts in pyproject.toml)
imports: install
	$(BIN)/lint-imports --no-cache

migrations-check: install
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	  echo "alembic upgrade head && alembic check (SQLite)"; \
	  CERTGOV_DATABASE_URL="sqlite:///$$tmp/check.db" $(BIN)/alembic upgrade head && \
	  CERTGOV_DATABASE_URL="sqlite:///$$tmp/check.db" $(BIN)/alembic check
	@echo "(the same check on PostgreSQL runs in tests/functional/test_migrations.py)"

## make browser: Debian packages the tests use — Chromium (browser tests) and Go with x/mod (independent
## tlog client for the interop test); each test skips with a message if its package is missing
browser:
	@bash scripts/install-browser.sh

## make test: everything CI runs — checks, then the whole suite with coverage
test: check browser pytest

pytest: install
	@set +e; $(BIN)/python -m pytest --cov=certgov --cov-report=term:skip-covered -q; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; rc=0; fi; exit $$rc

## make screenshots: every page as each demo role sees it, into var/screenshots/
screenshots: install browser
	$(BIN)/python scripts/screenshots.py

## make bench: performance benchmarks, results in bench/results/
bench: install
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .coverage htmlcov
