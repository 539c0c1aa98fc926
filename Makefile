# Two commands on a fresh machine: `make run` (main job on packaged example data) and `make test`.
# Both bootstrap their own virtual environment in .venv from PyPI.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
EXAMPLE ?= examples/dutch-msp.yaml

.PHONY: run test lint typecheck unit docs bench clean test-postgres serve translations

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

run: $(BIN)/.installed
	$(BIN)/insurable assess $(EXAMPLE)

test: lint typecheck unit

lint: $(BIN)/.installed
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(BIN)/.installed
	$(BIN)/mypy

unit: $(BIN)/.installed
	$(BIN)/pytest -q -n 2

# The service tests on PostgreSQL: needs INSURABLE_TEST_DATABASE_URL (.ci/with-postgres sets it).
test-postgres: $(BIN)/.installed
	@test -n "$$INSURABLE_TEST_DATABASE_URL" || { echo "set INSURABLE_TEST_DATABASE_URL or use .ci/with-postgres make test-postgres"; exit 2; }
	$(BIN)/pytest -q -n 2 tests/service

serve: $(BIN)/.installed
	$(BIN)/insurable serve

# Web app interface strings (docs/web.md): extract -> update the nl/en catalogues -> compile the .mo
# files (committed). Then translate any new empty msgstr in locale/nl and run it again.
WEB := src/insurable/web
translations: $(BIN)/.installed
	cd $(WEB) && $(CURDIR)/$(BIN)/pybabel extract -F babel.cfg -k _ --no-location --sort-output --no-wrap \
		--project insurable -o locale/messages.pot .
	$(BIN)/pybabel update -i $(WEB)/locale/messages.pot -d $(WEB)/locale -D messages --no-wrap \
		--no-fuzzy-matching --ignore-obsolete
	$(BIN)/pybabel compile -d $(WEB)/locale -D messages --statistics
	cd src/insurable && $(CURDIR)/$(BIN)/pybabel extract -F locale/babel.cfg -k _ --no-location --sort-output \
		--no-wrap --project insurable -o locale/insurable.pot .
	$(BIN)/pybabel update -i src/insurable/locale/insurable.pot -d src/insurable/locale -D insurable --no-wrap \
		--no-fuzzy-matching --ignore-obsolete
	$(BIN)/pybabel compile -d src/insurable/locale -D insurable --statistics

docs: $(BIN)/.installed
	$(BIN)/python -m insurable.docgen

bench: $(BIN)/.installed
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
