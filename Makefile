# City card service counter — every target sets up what it needs, idempotently.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
STAMP := $(VENV)/.installed

.PHONY: demo test bench lint setup system venv clean translations

setup: system venv translations

system:
	@bash scripts/setup-system.sh

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install -q --upgrade pip
	@$(PY) -m pip install -q -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

# .qm catalogues are built, never committed; `scripts/i18n.py update` refreshes the .ts sources
translations: venv
	@$(PY) scripts/i18n.py release

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

# -- installers (issue 7): the PyInstaller one-folder bundle, its smoke test, the Debian package
.PHONY: installer installer-test deb
BUNDLE := dist/citycard-counter

installer: venv translations
	@$(PY) -m PyInstaller --noconfirm --log-level WARN --distpath dist \
	  --workpath build/pyinstaller installers/citycard-counter.spec
	@du -sh $(BUNDLE)

# builds the bundle, then drives it offscreen against a virtual card and a center on loopback
installer-test: installer
	@$(PY) -m pytest tests/installers -q $(PYTEST_ARGS)

deb: installer
	@bash installers/linux/build-deb.sh $(BUNDLE) dist
