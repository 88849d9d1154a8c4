# Two commands set everything up on a fresh Linux machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO := examples/partnership_example.xlsx

.PHONY: install system-deps lint format test test-fast bench bench-full demo template clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev,scale]'
	touch $(STAMP)

install: $(STAMP)

# LibreOffice renders and recalculates the workbook in tests; installed when we may (root
# with apt), otherwise those tests skip and say why.
system-deps:
	@command -v soffice >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libreoffice-calc-nogui poppler-utils >/dev/null; \
	  else echo "LibreOffice not installed and not root: LibreOffice tests will be skipped"; fi; }

lint: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: install system-deps lint
	$(BIN)/python -m pytest -q -n auto --dist loadfile

# While working: every test but those marked libreoffice or slow (markers in pyproject.toml).
test-fast: install
	$(BIN)/python -m pytest -q -m "not libreoffice and not slow"

# The quick suite (meant to finish within 5 minutes) writes benchmarks/results.md; bench-full runs every benchmark.
bench: install
	$(BIN)/python -m benchmarks.run

bench-full: install
	$(BIN)/python -m benchmarks.run --full

demo: install
	@mkdir -p $(dir $(DEMO))
	$(BIN)/partnership new $(DEMO) --force
	$(BIN)/partnership run $(DEMO)
	@echo "Example workbook with results and charts: $(abspath $(DEMO))"

# Regenerate the committed template from code (tests check it matches).
template: install
	$(BIN)/python workbook_templates/build.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache .hypothesis
