# The two commands a newcomer needs: `make run` (install, then start the bot) and `make test`.
# Both create .venv on first use and reinstall when pyproject.toml or constraints.txt change.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install run test lint format bench lock clean

# The test tools are a PEP 735 dependency group (pyproject.toml), which pip installs from 25.1 on: the
# venv's own pip (whatever the system Python bundles) is brought to a known version first.
PIP_VERSION := 26.3

$(BIN)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check 'pip==$(PIP_VERSION)'
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e . --group test
	touch $@

install: $(BIN)/.installed

run: install
	$(BIN)/podbot run

# One pytest worker per core (at most 4: each starts a PostgreSQL server of its own). A single test runs
# without workers as usual: `.venv/bin/python -m pytest tests/test_store.py -k twice`.
test: install lint
	$(BIN)/python -m pytest -n auto --maxprocesses 4

# The static checks, also run by `make test`: lint rules, formatting, the Dockerfile, types.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/hadolint Dockerfile
	$(BIN)/mypy

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install
	$(BIN)/python -m bench

# The header comes from the old file, so the new one is written aside before it replaces it.
lock: install
	$(BIN)/python -m pip freeze --exclude-editable | sed '/^podbot/d' > constraints.new
	{ sed -n '1,2p' constraints.txt; cat constraints.new; } > constraints.tmp
	mv constraints.tmp constraints.txt && rm constraints.new

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
