# make        set up (system fonts, a virtualenv) and build the sample site into site/
# make test   set up (plus test tools) and run the linter, the handbook build and the tests
# make docs   build the editors' handbook (docs/, mkdocs.yml) into build/handbook/
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: all site setup setup-test test lint docs clean
all: site

site: setup
	$(BIN)/python build.py

setup: $(VENV)/.installed
setup-test: $(VENV)/.installed-test

$(VENV)/.installed: pyproject.toml scripts/ensure-system.sh
	scripts/ensure-system.sh build
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	scripts/ensure-system.sh test
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

lint: setup-test
	$(BIN)/ruff check .

docs: setup-test
	$(BIN)/mkdocs build --strict

test: setup-test lint docs
	$(BIN)/python -m pytest

clean:
	rm -rf site .site.spare.tmp .cache $(VENV)
