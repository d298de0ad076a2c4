# Two commands for everyone: `make report` and `make test`. Both bootstrap a
# local virtual environment (.venv) the first time, so nothing is installed by hand.
# Packages come from the lock files of exact versions in requirements/ (`make lock` rewrites them),
# installed by the pinned uv; then the project itself, editable, without its dependencies.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
UV     := $(BIN)/uv
RUNTIME_LOCK := requirements/runtime.lock.txt
TEST_LOCK    := requirements/test.lock.txt
RUNTIME_STAMP := $(VENV)/.runtime-lock-stamp
TEST_STAMP    := $(VENV)/.test-lock-stamp
YEAR   ?= latest
DATA   ?=
CONFIG ?=
JOBS   ?= 2
# Byte-compile the installed packages and the project once, at install (pip does this by default, uv does
# not). Every notebook kernel then loads compiled modules: where Python may not write bytecode itself
# (PYTHONDONTWRITEBYTECODE, a read-only install) each kernel would otherwise compile pandas, matplotlib,
# scipy and the package again, about 1.5 s per kernel on 2 cores. Already compiled files are skipped.
COMPILE_BYTECODE = $(BIN)/python -m compileall -q -j 0 "$$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_path("purelib"))')" evaluation >/dev/null

.PHONY: report test test-fast lab demo notebooks messages bench lock clean-venv

# The virtual environment and the lock tool (the version pinned in pyproject's `lock` extra).
$(UV): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet "$$($(PYTHON) requirements/lock.py --tool)"
	touch $(UV)

# Exactly the locked versions (--no-deps: nothing outside the lock is pulled in; `uv pip check`
# fails if the lock were missing a dependency). The test lock holds the runtime one at the same
# versions, so installing one after the other never changes a version.
$(RUNTIME_STAMP): $(RUNTIME_LOCK) pyproject.toml | $(UV)
	$(UV) pip install --quiet --python $(BIN)/python --no-deps -r $(RUNTIME_LOCK)
	$(UV) pip install --quiet --python $(BIN)/python --no-deps -e .
	$(UV) pip check --quiet --python $(BIN)/python
	$(BIN)/python -m evaluation.text.catalogues compile
	$(COMPILE_BYTECODE)
	touch $@

$(TEST_STAMP): $(TEST_LOCK) $(RUNTIME_STAMP) | $(UV)
	$(UV) pip install --quiet --python $(BIN)/python --no-deps -r $(TEST_LOCK)
	$(UV) pip check --quiet --python $(BIN)/python
	$(COMPILE_BYTECODE)
	touch $@

## Recompile requirements/*.lock.txt from pyproject.toml, keeping the locked versions that still fit
## (make lock UPGRADE=1: the newest versions that resolve). Commit the result.
lock: $(UV)
	$(BIN)/python requirements/lock.py --uv $(UV) $(if $(UPGRADE),--upgrade)

## Run every notebook for one year on the embedded demo data (or DATA=folder / CONFIG=file).
report: $(RUNTIME_STAMP)
	$(BIN)/gcio-eval run --year $(YEAR) --jobs $(JOBS) $(if $(DATA),--data $(DATA)) $(if $(CONFIG),--config $(CONFIG))

## The whole test suite: unit tests, slow simulations, notebooks (nbval) and the browser check, on
## TEST_WORKERS processes (pytest-xdist; --dist loadfile: each test file, so each notebook's nbval cells
## and each module's fixtures, stays on one worker). make test TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= 2
test: $(TEST_STAMP)
	$(BIN)/python -m pytest tests notebooks --nbval-lax -n $(TEST_WORKERS) --dist loadfile

## The quick subset while developing (skips tests marked slow).
test-fast: $(TEST_STAMP)
	$(BIN)/python -m pytest tests -m "not slow"

## Open JupyterLab on the notebooks with the project's environment as kernel. As root (a container) it
## passes --allow-root, which Jupyter otherwise demands; extra flags: make lab LAB_ARGS="--port 8890".
LAB_ARGS ?=
lab: $(RUNTIME_STAMP)
	$(BIN)/jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

## Regenerate the embedded demo dataset (deterministic; tests check it is unchanged).
demo: $(RUNTIME_STAMP)
	$(BIN)/gcio-eval demo --out data/demo

## After adding or changing a message: merge it into the Spanish catalogues, then translate the empty
## entries in evaluation/text/locale/es/LC_MESSAGES/*.po (tests/test_translations.py lists them).
messages: $(RUNTIME_STAMP)
	$(BIN)/python -m evaluation.text.catalogues update
	$(BIN)/python -m evaluation.text.catalogues compile

## Re-execute the notebooks and store only the outputs nbval checks.
notebooks: $(RUNTIME_STAMP)
	$(BIN)/gcio-eval refresh-notebooks

## Speed comparison of att_gt against peer packages, in its own environment .venv-bench (the project
## installed editable plus the benchmark-only peers of benchmarks/requirements.txt); rewrites
## benchmarks/README.md. Extra options: make bench BENCH_ARGS="--sizes 1000,10000 --repeats 3".
bench:
	test -x .venv-bench/bin/python || $(PYTHON) -m venv .venv-bench
	.venv-bench/bin/python -m pip install --quiet --upgrade pip
	.venv-bench/bin/python -m pip install --quiet -e . -r benchmarks/requirements.txt
	.venv-bench/bin/python benchmarks/bench_att_gt.py --write $(BENCH_ARGS)

clean-venv:
	rm -rf $(VENV)
