# minipre: `make demo` (the main job) and `make test`. Everything installs into ./.venv.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
TORCH_VERSION ?= 2.13.0
# The GPU extra (triton, for the kernel tests in Triton's interpreter) only exists for Linux x86-64.
EXTRAS := dev,notebooks$(shell [ "$$(uname -s)-$$(uname -m)" = "Linux-x86_64" ] && echo ,gpu)

# Caches stay inside the project; tests never wait on the network.
export HF_HOME := $(CURDIR)/.cache/huggingface
export MPLCONFIGDIR := $(CURDIR)/.cache/matplotlib
export TORCHINDUCTOR_CACHE_DIR := $(CURDIR)/.cache/torchinductor
export IPYTHONDIR := $(CURDIR)/.cache/ipython
export JUPYTER_PLATFORM_DIRS := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# Without a GPU, Triton kernels run in its interpreter. It must be on before triton is first imported, and notebooks
# share worker processes (another chapter's imports may pull triton in), so it is set for the whole test run.
ifeq ($(shell command -v nvidia-smi 2>/dev/null),)
export TRITON_INTERPRET := 1
endif

.PHONY: demo test test-slow install check-sync nbtest pytest clean docs notebooks outputs help

help:
	@echo "make demo       run the main pipeline (offline on synthetic data, real data with MINIPRE_DATA=...)"
	@echo "make test       install dev tools, check notebooks/library sync, run notebook tests and pytest"
	@echo "make test-slow  also run cells marked #| slow"
	@echo "make outputs    run the core chapters and store their outputs in nbs/ (CHAPTERS=\"07_pretrain_gpt ...\" for some)"
	@echo "make docs       build the documentation site into site/"
	@echo "make notebooks  open the chapters in JupyterLab"

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -qq --upgrade pip

# torch first, pinned (a local CPU build on our machines); then the package and its extras.
$(VENV)/.core: $(BIN)/activate pyproject.toml
	$(PY) -m pip install -qq "torch==$(TORCH_VERSION)"
	$(PY) -m pip install -qq -e .
	@touch $@

$(VENV)/.dev: $(VENV)/.core
	$(PY) -m pip install -qq -e ".[$(EXTRAS)]"
	@touch $@

install: $(VENV)/.dev

demo: $(VENV)/.core
	$(BIN)/minipre demo $(DEMO_ARGS)

check-sync: $(VENV)/.dev
	@tmp=$$(mktemp -d); cp -r minipre nbs "$$tmp"/; \
	$(BIN)/nbdev-export; \
	if ! diff -r -q -x __pycache__ "$$tmp/minipre" minipre; then \
	  echo "ERROR: nbdev-export changed minipre/ (diff above): export the notebooks and commit both."; \
	  rm -rf minipre && cp -r "$$tmp/minipre" minipre; rm -rf "$$tmp"; exit 1; fi; \
	$(BIN)/nbdev-clean; \
	if ! diff -r -q "$$tmp/nbs" nbs; then \
	  echo "ERROR: nbdev-clean would change the notebooks above: run nbdev-clean and commit."; \
	  rm -rf nbs && cp -r "$$tmp/nbs" nbs; rm -rf "$$tmp"; exit 1; fi; \
	rm -rf "$$tmp"; echo "notebooks and library in sync; notebooks clean"

.cache/.dirs:
	@mkdir -p $(HF_HOME) $(MPLCONFIGDIR) $(TORCHINDUCTOR_CACHE_DIR) $(IPYTHONDIR) && touch $@

# Two workers share the machine's cores, so each runs torch on one thread: two processes of two threads each on two
# cores wait for each other at every operation (measured: chapters 07, 09 and 10 took 7 min side by side that way,
# 1.7 min with one thread each). A cell that times something may still ask for more (torch.set_num_threads).
WORKER_THREADS := OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
# The exercise checks draw their inputs from MINIPRE_GRADE_SEED when it is set: make test draws the same ones on every
# run (a failure replays with the same seed); make test-slow draws fresh ones and prints the seed, like the properties.
GRADE_SEED ?= make-test

# The notebooks run from a copy, saving their outputs there: the docs site is built from those executed copies.
nbtest: $(VENV)/.dev .cache/.dirs
	rm -rf _build/executed && mkdir -p _build && cp -r nbs _build/executed
	$(WORKER_THREADS) MINIPRE_GRADE_SEED=$(GRADE_SEED) HF_DATASETS_OFFLINE=1 HF_HUB_OFFLINE=1 $(BIN)/nbdev-test _build/executed --n-workers 2 --timing --save $(NBTEST_ARGS)

pytest: $(VENV)/.dev .cache/.dirs
	$(WORKER_THREADS) MINIPRE_GRADE_SEED=$(GRADE_SEED) HF_DATASETS_OFFLINE=1 HF_HUB_OFFLINE=1 $(BIN)/pytest -q -n 2 --dist loadfile --durations=12 tests $(PYTEST_ARGS)

# The install is not timed: the three steps are, and the time is printed, so a slower suite is seen when it happens.
test: $(VENV)/.dev .cache/.dirs
	@start=$$(date +%s); \
	$(MAKE) --no-print-directory check-sync nbtest pytest NBTEST_ARGS="$(NBTEST_ARGS)" PYTEST_ARGS="$(PYTEST_ARGS)" \
	  GRADE_SEED="$(GRADE_SEED)"; \
	rc=$$?; t=$$(( $$(date +%s) - start )); \
	echo "make $@: $$([ $$rc = 0 ] && echo passed || echo FAILED) in $$((t / 60)) min $$((t % 60)) s of testing (install not counted)"; \
	exit $$rc

test-slow: NBTEST_ARGS += --flags slow
# A fresh seed for the property tests each time, printed in pytest's header; HYPOTHESIS_SEED=N replays a run.
ifndef HYPOTHESIS_SEED
HYPOTHESIS_SEED := $(shell od -An -N4 -tu4 /dev/urandom | tr -d ' ')
endif
test-slow: PYTEST_ARGS += --runslow --hypothesis-seed=$(HYPOTHESIS_SEED)
test-slow: GRADE_SEED := slow-$(HYPOTHESIS_SEED)
test-slow: test

# The core chapters keep their executed outputs, so that a reader sees them without running anything; each carries a
# hash of the code they came from, and make test (tests/test_outputs.py) fails when a chapter's code has moved on.
# Real data when MINIPRE_DATA names a data folder.
outputs: $(VENV)/.dev .cache/.dirs
	$(WORKER_THREADS) HF_DATASETS_OFFLINE=1 HF_HUB_OFFLINE=1 $(PY) docs/outputs.py $(CHAPTERS)
	$(BIN)/nbdev-clean

docs: $(VENV)/.dev .cache/.dirs
	HF_DATASETS_OFFLINE=1 HF_HUB_OFFLINE=1 $(BIN)/python docs/build.py $(if $(wildcard _build/executed/*.ipynb),,--execute)
	@echo "open site/index.html"

notebooks: $(VENV)/.dev .cache/.dirs
	$(BIN)/jupyter lab nbs/

clean:
	rm -rf $(VENV) .cache build dist *.egg-info _build site
