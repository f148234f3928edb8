# Quick start: `make demo` (set up, then profile the examples) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint setup clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

# The main job: check the examples' generated __allocative__ methods are current
# (a stale one fails here), type-check them with the plugin, then profile them.
demo: $(STAMP)
	$(BIN)/allocative-gen --check examples
	$(BIN)/mypy examples
	$(BIN)/python -m examples.demo

lint: $(STAMP)
	$(BIN)/ruff check runtime allocative_gen mypy_plugin tests benchmarks examples
	$(BIN)/ruff format --check runtime allocative_gen mypy_plugin tests benchmarks examples
	$(BIN)/mypy runtime/allocative allocative_gen mypy_plugin/allocative_mypy examples

test: $(STAMP)
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) .venv-3.12 .venv-3.13 out
