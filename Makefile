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

demo: $(STAMP)
	$(BIN)/python -m examples.demo

lint: $(STAMP)
	$(BIN)/ruff check runtime allocative_gen mypy_plugin tests benchmarks examples
	$(BIN)/mypy runtime/allocative allocative_gen mypy_plugin/allocative_mypy

test: $(STAMP)
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) .venv-3.12 .venv-3.13 out
