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

.PHONY: report test test-fast lab demo notebooks bench clean-venv

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
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

## Open JupyterLab on the notebooks with the project's environment as kernel.
lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=notebooks

## Regenerate the embedded demo dataset (deterministic; tests check it is unchanged).
demo: $(STAMP)
	$(BIN)/gcio-eval demo --out data/demo

## Re-execute the notebooks and store only the outputs nbval checks.
notebooks: $(STAMP)
	$(BIN)/gcio-eval refresh-notebooks

## Speed comparison against peer packages (installs benchmark-only dependencies).
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -r benchmarks/requirements.txt
	$(BIN)/python benchmarks/bench_att_gt.py

clean-venv:
	rm -rf $(VENV)
