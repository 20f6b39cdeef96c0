# The course's commands. `make lab` to learn, `make test` to check everything; both set up first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
NOTEBOOKS := notebooks

.PHONY: setup lab test unit nbval lint execute figures bench determinism clean

# Test kernels load this IPython profile, which refuses every connection that is not to this machine:
# the notebooks are proven to run with no network.
OFFLINE := IPYTHONDIR=$(CURDIR)/tests/offline/ipython

setup: $(STAMP)

# Idempotent: re-installs only when the pins change. constraints.txt pins the whole environment the
# stored notebook outputs were made with; torch==2.13.0 resolves to the local CPU build.
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

lab: setup
	$(BIN)/jupyter lab $(NOTEBOOKS)

lint: setup
	$(BIN)/ruff check mdn_lessons tests benchmarks tools
	$(BIN)/ruff format --check mdn_lessons tests benchmarks tools

unit: setup
	$(BIN)/python -m pytest tests

nbval: setup
	$(OFFLINE) $(BIN)/python -m pytest --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg $(NOTEBOOKS)

test: lint unit nbval

execute: setup
	$(BIN)/python tools/execute_notebooks.py $(NOTEBOOKS)

figures: setup
	$(BIN)/python tools/make_figures.py

bench: setup
	$(BIN)/python -m benchmarks.run

# nbval three times in a row, offline: OMP_NUM_THREADS=1, =2, then the machine's default.
determinism: setup
	$(BIN)/python tools/check_determinism.py $(NOTEBOOKS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
