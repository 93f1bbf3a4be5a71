# CreatorDeck: `make run` starts everything locally, `make test` runs every check.
# Both install what they need first (idempotently), so they work on a fresh clone.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed

.PHONY: help install run stop test lint typecheck pytest deploy-check bench clean web browser

help:
	@echo "make run           start the whole product locally (Ctrl-C or 'make stop' stops it)"
	@echo "make test          ruff, mypy, then the whole pytest suite with deploy-check alongside"
	@echo "make bench         run the benchmarks under bench/"
	@echo "make deploy-check  terraform fmt/validate, checkov, apply+destroy on the embedded AWS"
	@echo "make web           build the web app into web/dist (npm ci first when needed)"
	@echo "make browser       install Debian's chromium for the end-to-end tests when missing"

$(INSTALLED): requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

install: $(INSTALLED)

# The web app: npm ci when node_modules is missing or the lock changed, a build when a source changed.
WEB_DEPS := web/node_modules/.installed
WEB_BUILT := web/dist/index.html
WEB_SOURCES := $(shell find web/src web/public -type f 2>/dev/null) \
	web/index.html web/package.json web/tsconfig.json web/vite.config.ts

$(WEB_DEPS): web/package-lock.json web/package.json
	@command -v npm >/dev/null || { echo "npm is missing: install Node.js 20 or newer" >&2; exit 1; }
	cd web && npm ci --no-audit --no-fund
	@touch $@

$(WEB_BUILT): $(WEB_DEPS) $(WEB_SOURCES)
	cd web && npm run build
	@touch $@

web: $(WEB_BUILT)

# Playwright drives Debian's Chromium; it never downloads a browser of its own.
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

browser:
	@if [ ! -x $(CHROMIUM) ]; then \
		$(SUDO) apt-get update && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y chromium; \
	fi

run: install web
	@$(PY) -m devstack run

stop:
	@if [ -x $(PY) ]; then $(PY) -m devstack stop; else echo "No local stack is running."; fi

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install
	$(VENV)/bin/mypy

pytest: install web browser
	$(PY) -m pytest -n 2 --dist loadgroup

# pytest with deploy-check alongside (it mostly waits on Terraform); ends with pytest's summary line.
test: lint typecheck install web browser
	@PY=$(PY) bash scripts/run_tests.sh

deploy-check: install
	bash infra/deploy_check.sh

bench: install
	$(PY) bench/cold_start.py
	$(PY) bench/ingest.py
	$(PY) bench/api.py

clean:
	rm -rf $(VENV) .devstack .mypy_cache .pytest_cache .ruff_cache
