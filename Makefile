# Two commands matter on a fresh machine: `make demo` and `make test`.
# Both create (or reuse) .venv and install what they need from the package index.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)

.PHONY: demo demo-once test lint typecheck unit install sandbox clean

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check 'pip<26.3' wheel
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

install: $(STAMP)

## Run the main job on the embedded sandbox (local AWS + fake Xero + fake Meta), interactively.
demo: $(STAMP)
	$(BIN)/python -m sandbox.demo $(DEMO_ARGS)

## Same, but run one cycle, print the table and exit 0 (for scripts).
demo-once: $(STAMP)
	$(BIN)/python -m sandbox.demo --once

## Only the sandbox servers, for poking at them by hand.
sandbox: $(STAMP)
	$(BIN)/python -m sandbox.run

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest -q

## Lint, type-check and the whole test suite.
test: lint typecheck unit

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .sandbox
