# Placecheck: `make run` serves the demo, `make test` runs every check. Both set everything up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup run test lint typecheck pytest bench lock clean

setup: $(INSTALLED)

# Reinstall whenever the dependencies change; requirements.lock pins what the suite was run with.
$(INSTALLED): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[dev]'
	@touch $@

run: setup
	$(BIN)/placecheck db upgrade
	$(BIN)/placecheck demo
	@echo "Open http://$(HOST):$(PORT)/ in your browser."
	$(BIN)/placecheck serve --host $(HOST) --port $(PORT)

test: setup lint typecheck pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy

pytest: setup
	$(BIN)/pytest $(PYTEST_ARGS)

bench: setup
	$(BIN)/pytest tests/benchmarks -q -s

# Refresh the pins after changing dependencies in pyproject.toml.
lock: setup
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^placecheck' > requirements.lock

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
