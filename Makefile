# CreatorDeck: `make run` starts everything locally, `make test` runs every check.
# Both install what they need first (idempotently), so they work on a fresh clone.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed

.PHONY: help install run stop test lint typecheck pytest deploy-check bench clean

help:
	@echo "make run           start the whole product locally (Ctrl-C or 'make stop' stops it)"
	@echo "make test          ruff, mypy, deploy-check and the whole pytest suite"
	@echo "make bench         run the benchmarks under bench/"
	@echo "make deploy-check  terraform fmt/validate, checkov, apply+destroy on the embedded AWS"

$(INSTALLED): requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

install: $(INSTALLED)

run: install
	@$(PY) -m devstack run

stop:
	@if [ -x $(PY) ]; then $(PY) -m devstack stop; else echo "No local stack is running."; fi

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install
	$(VENV)/bin/mypy

pytest: install
	$(PY) -m pytest -n 2 --dist loadgroup

test: lint typecheck deploy-check pytest

deploy-check: install
	bash infra/deploy_check.sh

bench: install
	$(PY) bench/cold_start.py

clean:
	rm -rf $(VENV) .devstack .mypy_cache .pytest_cache .ruff_cache
