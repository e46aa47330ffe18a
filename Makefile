# Placecheck: `make run` serves the demo, `make test` runs every check. Both set everything up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

ASSETS := app/static/build/placecheck.css app/static/build/govuk-frontend.min.js
NPM_INSTALLED := node_modules/.installed

.PHONY: setup system assets run test lint typecheck pytest reliability bench lock clean

setup: $(INSTALLED) assets

# Front-end: GOV.UK Frontend (pinned in package-lock.json) compiled with our system-font settings.
assets: $(ASSETS)

$(NPM_INSTALLED): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

app/static/build/placecheck.css: app/static/scss/placecheck.scss $(NPM_INSTALLED)
	@mkdir -p app/static/build
	node_modules/.bin/sass --load-path=node_modules --style=compressed --no-source-map \
		--quiet-deps $< $@

app/static/build/govuk-frontend.min.js: $(NPM_INSTALLED)
	@mkdir -p app/static/build
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js $@

# Reinstall whenever the dependencies change; requirements.lock pins what the suite was run with.
$(INSTALLED): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[dev]'
	@touch $@

# System libraries the Python packages load (checked apart from setup, which .ci/run starts while
# apt is still installing them): Cairo draws the PNG charts.
system: setup
	@$(BIN)/python -c "import cairosvg" 2>/dev/null || { echo "Chart images need the Cairo library:" \
		"install it (on Debian or Ubuntu: sudo apt-get install libcairo2), then run make again."; exit 1; }

run: setup system
	$(BIN)/placecheck db upgrade
	$(BIN)/placecheck demo --base-url http://$(HOST):$(PORT)
	$(BIN)/placecheck serve --host $(HOST) --port $(PORT)

# The whole suite in one run, its tests shared out over JOBS processes as each finishes (most
# of them wait on servers, browsers and databases); `make pytest` and `make reliability` run a
# part, and `make reliability` alone, one test at a time, gives figures to compare. The
# whole suite ends with its 30 slowest steps, where cutting CI's time starts.
JOBS ?= 2
test: setup system lint typecheck
	@echo "--- the whole suite ($$(date +%T))"
	$(BIN)/pytest -n $(JOBS) --dist worksteal --durations=30 $(PYTEST_ARGS)

lint: setup
	@echo "--- lint ($$(date +%T))"
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

typecheck: setup
	$(BIN)/mypy

pytest: setup
	$(BIN)/pytest --ignore=tests/reliability -n $(JOBS) --dist worksteal $(PYTEST_ARGS)

# Burst, crash, fuzz, hostile input, anonymity and access, against real servers; prints figures.
# One suite alone: make reliability SUITE=crash
reliability: setup
	$(BIN)/pytest tests/reliability/$(if $(SUITE),test_$(SUITE).py) $(PYTEST_ARGS)

bench: setup
	$(BIN)/python -m tests.benchmarks.run $(SUITE)

# Refresh the pins after changing dependencies in pyproject.toml.
lock: setup
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^placecheck' > requirements.lock

clean:
	rm -rf $(VENV) node_modules app/static/build .pytest_cache .mypy_cache .ruff_cache .hypothesis
