# City card service counter — every target sets up what it needs, idempotently.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
STAMP := $(VENV)/.installed

.PHONY: demo test bench lint setup system venv clean

setup: system venv

system:
	@bash scripts/setup-system.sh

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install -q --upgrade pip
	@$(PY) -m pip install -q -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

test: setup
	@$(PY) -m pytest $(PYTEST_ARGS)

lint: venv
	@$(VENV)/bin/ruff check app cardsim clearing tests bench
	@$(VENV)/bin/mypy

bench: setup
	@$(PY) -m bench

demo: setup
	@$(PY) -m app.demo

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
