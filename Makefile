# The course's commands. `make lab` to learn, `make test` to check everything; both set up first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
NOTEBOOKS := notebooks
# make test-latest: a second environment with the newest releases of the dependencies (see below).
LATEST := .venv-latest

# Where `make setup` takes PyTorch from. On Linux the default package index serves the CUDA build (about
# 3 GB with its NVIDIA libraries); PyTorch's CPU-only index serves one of about 200 MB, all this course needs.
# `make setup TORCH_INDEX=` takes torch from the default index instead; point it elsewhere (a mirror, or
# https://download.pytorch.org/whl/cu128 for a GPU build) to change it. When the index cannot be reached
# within 5 s, torch comes from the default index. On macOS and Windows the default index is CPU-only already.
ifeq ($(shell uname -s),Linux)
TORCH_INDEX ?= https://download.pytorch.org/whl/cpu
else
TORCH_INDEX ?=
endif
TORCH_PIN := $(shell grep -i '^torch==' constraints.txt)

# Parallel test runs (pytest-xdist): JOBS workers; loadscope keeps each notebook (and each test module) on
# one worker, its cells in order. `make test JOBS=1` runs everything in one process.
JOBS ?= 2
XDIST := $(if $(filter 1,$(JOBS)),,-n $(JOBS) --dist loadscope)

.PHONY: setup lab test unit nbval test-latest lint notebooks execute figures bench determinism clean

# Test kernels load this IPython profile, which refuses every connection that is not to this machine:
# the notebooks are proven to run with no network.
OFFLINE := IPYTHONDIR=$(CURDIR)/tests/offline/ipython
NO_NETWORK_HINT := (is this machine connected to the internet?)

setup: $(STAMP)

# Idempotent: re-installs only when the pins change. constraints.txt pins the whole environment the
# stored notebook outputs were made with. torch first, from TORCH_INDEX, so that pip then finds it installed.
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python tools/install_torch.py --index "$(TORCH_INDEX)" $(TORCH_PIN)
	$(BIN)/python -m pip install -c constraints.txt -e ".[dev]" \
		|| { echo "make setup: could not download the packages pinned in constraints.txt $(NO_NETWORK_HINT)"; exit 1; }
	@$(BIN)/python -c "import torch; print('make setup: done; torch', torch.__version__, \
		f'(CUDA {torch.version.cuda} build)' if torch.version.cuda else '(CPU-only build)')"
	touch $(STAMP)

lab: setup
	$(BIN)/jupyter lab $(NOTEBOOKS)

lint: setup
	$(BIN)/ruff check mdn_lessons tests benchmarks tools lessons
	$(BIN)/ruff format --check mdn_lessons tests benchmarks tools lessons

# The browser tests run on their own, in one process: they share one JupyterLab and one Chromium, and
# their report says when they were skipped (which a parallel run would not show).
unit: setup
	$(BIN)/python -m pytest $(XDIST) tests --ignore=tests/browser
	$(BIN)/python -m pytest tests/browser

nbval: setup
	$(OFFLINE) $(BIN)/python -m pytest $(XDIST) --nbval --nbval-current-env \
		--nbval-sanitize-with tests/nbval_sanitize.cfg $(NOTEBOOKS)

# The newest releases of the lessons' dependencies (no pins, no constraints; torch: the newest CPU-only
# build that can be had, else the pinned one), the package on top with --no-deps as Colab's first cell
# installs it, then every notebook run to the end: errors fail, differing outputs do not (--nbval-lax).
test-latest:
	test -x $(LATEST)/bin/python || $(PYTHON) -m venv $(LATEST)
	$(LATEST)/bin/python -m tools.latest_env --torch-index "$(TORCH_INDEX)" --torch-fallback "$(TORCH_PIN)"
	$(OFFLINE) $(LATEST)/bin/python -m pytest -p no:cacheprovider $(XDIST) --nbval-lax --nbval-current-env $(NOTEBOOKS)

test: lint unit nbval

# Each lesson is written once, as lessons/NN_slug.py; this generates its student and solutions notebooks
# and executes them. `make notebooks LESSONS=lessons/04_mdn.py` rebuilds one lesson.
LESSONS ?= $(sort $(wildcard lessons/[0-9][0-9]_*.py))
LESSON_NOTEBOOKS = $(patsubst lessons/%.py,$(NOTEBOOKS)/%.ipynb,$(LESSONS)) \
	$(patsubst lessons/%.py,$(NOTEBOOKS)/solutions/%_solutions.ipynb,$(LESSONS))

notebooks: setup
	$(BIN)/python -m tools.build_notebooks $(LESSONS)
	$(BIN)/python -m tools.execute_notebooks $(LESSON_NOTEBOOKS)

execute: setup
	$(BIN)/python -m tools.execute_notebooks $(NOTEBOOKS)

figures: setup
	$(BIN)/python -m tools.make_figures

bench: setup
	$(BIN)/python -m benchmarks.run

# nbval three times in a row, offline: OMP_NUM_THREADS=1, =2, then the machine's default.
determinism: setup
	$(BIN)/python -m tools.check_determinism --jobs $(JOBS) $(NOTEBOOKS)

clean:
	rm -rf $(VENV) $(LATEST) .pytest_cache .ruff_cache
