# Two commands for everyone: `make report` and `make test`. Both bootstrap a
# local virtual environment (.venv) the first time, so nothing is installed by hand.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
YEAR   ?= latest
DATA   ?=
CONFIG ?=
JOBS   ?= 2

.PHONY: report test test-fast lab demo notebooks messages bench clean-venv

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	$(BIN)/python -m evaluation.text.catalogues compile
	touch $(STAMP)

## Run every notebook for one year on the embedded demo data (or DATA=folder / CONFIG=file).
report: $(STAMP)
	$(BIN)/gcio-eval run --year $(YEAR) --jobs $(JOBS) $(if $(DATA),--data $(DATA)) $(if $(CONFIG),--config $(CONFIG))

## The whole test suite: unit tests, slow simulations, notebooks (nbval) and the browser check.
test: $(STAMP)
	$(BIN)/python -m pytest tests notebooks --nbval-lax

## The quick subset while developing (skips tests marked slow).
test-fast: $(STAMP)
	$(BIN)/python -m pytest tests -m "not slow"

## Open JupyterLab on the notebooks with the project's environment as kernel. As root (a container) it
## passes --allow-root, which Jupyter otherwise demands; extra flags: make lab LAB_ARGS="--port 8890".
LAB_ARGS ?=
lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

## Regenerate the embedded demo dataset (deterministic; tests check it is unchanged).
demo: $(STAMP)
	$(BIN)/gcio-eval demo --out data/demo

## After adding or changing a message: merge it into the Spanish catalogues, then translate the empty
## entries in evaluation/text/locale/es/LC_MESSAGES/*.po (tests/test_translations.py lists them).
messages: $(STAMP)
	$(BIN)/python -m evaluation.text.catalogues update
	$(BIN)/python -m evaluation.text.catalogues compile

## Re-execute the notebooks and store only the outputs nbval checks.
notebooks: $(STAMP)
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
