# AI Community: `make run` serves the site on its embedded defaults, `make test` runs the suite.
# Both create .venv with a Python >= 3.11 found on PATH and install the pinned requirements.

SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

# The first Python >= 3.11 on PATH (override with `make PYTHON=/path/to/python3.12 ...`).
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	  command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
	  && { echo $$p; break; }; done)

.PHONY: run test lint install install-dev migrate messages seed prod clean test-tools

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Python >= 3.11 is required; none found on PATH." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: $(BIN)/python requirements.txt
	$(BIN)/pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@

install: $(VENV)/.runtime
install-dev: $(VENV)/.dev

messages: install
	@if ls locale/*/LC_MESSAGES/*.po >/dev/null 2>&1; then $(BIN)/python scripts/compile_messages.py; fi

migrate: install messages
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo

## Set up and serve the site on its embedded defaults at http://127.0.0.1:8000
run: seed
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

## The production topology on this machine: gunicorn + two Celery worker pools (generation;
## media,feed,default) + beat (Procfile, run by honcho) against PostgreSQL and Redis, after
## compiling the translations (messages). Override PROD_DATABASE_URL / PROD_REDIS_URL.
PROD_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/aicommunity
PROD_REDIS_URL ?= redis://127.0.0.1:6379/0
# The database PROD_DATABASE_URL names (created when missing), and its server's own `postgres`.
PROD_DATABASE_BASE = $(firstword $(subst ?, ,$(PROD_DATABASE_URL)))
PROD_DATABASE_NAME = $(notdir $(PROD_DATABASE_BASE))
prod: install messages
	@command -v createdb >/dev/null 2>&1 && createdb \
	  --maintenance-db='$(patsubst %/$(PROD_DATABASE_NAME),%/postgres,$(PROD_DATABASE_BASE))' \
	  '$(PROD_DATABASE_NAME)' 2>/dev/null || true
	export DATABASE_URL=$(PROD_DATABASE_URL) REDIS_URL=$(PROD_REDIS_URL) DEBUG=false; \
	$(BIN)/python manage.py migrate --noinput && \
	$(BIN)/python manage.py collectstatic --noinput -v0 && \
	$(BIN)/python manage.py seed_demo && \
	PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/honcho start --port $(PORT)

## Chromium, Java and the pinned npm test tools (installed only when missing)
test-tools:
	bash scripts/test_setup.sh

## Set up and run the whole test suite
test: install-dev messages test-tools
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## Lint, format check, functions over 60 lines and migration check (run by .ci/run)
lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python scripts/long_functions.py
	$(BIN)/python manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) db.sqlite3* .cache media staticfiles test-artifacts node_modules
