# The README's commands. `make demo` and `make test` work on a fresh machine.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
WORKSPACE := examples/west-yorkshire

.PHONY: demo test install build lint bench clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

build: install
	$(BIN)/observatory build $(WORKSPACE)

demo: build
	$(BIN)/observatory figures --level lad --indicator gigabit
	$(BIN)/observatory figures --level ca --indicator sfbb

test: install
	$(BIN)/pytest -q

lint: install
	$(BIN)/ruff check src tests benchmarks scripts

bench: install
	$(BIN)/python benchmarks/bench_assign.py
	$(BIN)/python benchmarks/bench_build.py

clean:
	rm -rf $(WORKSPACE)/build
