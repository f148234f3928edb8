# Quick start: `make demo` (set up, then profile the examples) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BUILD_FILES := build_core.py hatch_build.py

.PHONY: demo test lint setup build asan clean

setup: build

# The editable install also compiles the engine in place (hatch_build.py).
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

# The compiled engine, allocative._core, rebuilt in place when its C sources
# changed. Without a working C compiler: one notice, and the pure-Python engine.
build: $(STAMP)
	$(BIN)/python build_core.py

# The main job: check the examples' generated __allocative__ methods are current
# (a stale one fails here), type-check them with the plugin, then profile them.
demo: build
	$(BIN)/allocative-gen --check examples
	$(BIN)/mypy examples
	$(BIN)/python -m examples.demo

lint: $(STAMP)
	$(BIN)/ruff check runtime allocative_gen mypy_plugin tests benchmarks examples $(BUILD_FILES)
	$(BIN)/ruff format --check runtime allocative_gen mypy_plugin tests benchmarks examples $(BUILD_FILES)
	$(BIN)/mypy runtime/allocative allocative_gen mypy_plugin/allocative_mypy examples $(BUILD_FILES)

test: build
	$(BIN)/python -m pytest

# The runtime's tests with the compiled engine built for AddressSanitizer (tests/asan.py).
asan: build
	$(BIN)/python -m tests.asan

clean:
	rm -rf $(VENV) .venv-3.12 .venv-3.13 out runtime/allocative/_core.*.so
