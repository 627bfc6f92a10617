# DiseaseMaps: two commands do everything from a clean clone.
#   make run    set up a development site on SQLite with demo content and serve it
#   make test   set up everything the suite needs and run it on PostgreSQL and on SQLite

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

# Development values, set explicitly: the settings' defaults are the production ones.
DEV_ENV := DEBUG=1 LOG_FORMAT=text

.DEFAULT_GOAL := help
.PHONY: help run test install install-dev icu browser services npm static lint audit bench clean

help:
	@echo "make run    serve the demo site on http://127.0.0.1:$(PORT) (SQLite)"
	@echo "make test   run the whole suite (PostgreSQL and SQLite, side by side)"
	@echo "make lint   ruff and the import layers only"
	@echo "make audit  Lighthouse on the home, condition and question pages (docs/lighthouse.md)"
	@echo "make bench  time the pages at demo size and at scale, under wrk too (docs/benchmarks.md)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python icu
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python icu
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

# PyICU (pseudonym skeletons, Unicode TR39) builds against the system's ICU: Debian's packages.
icu:
	@pkg-config --exists icu-uc 2>/dev/null && command -v g++ >/dev/null 2>&1 || { \
		echo "Installing Debian's ICU development files for PyICU..."; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq libicu-dev pkg-config g++ >/dev/null; \
	}

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

run: install
	$(DEV_ENV) $(BIN)/python manage.py migrate --verbosity 0
	$(DEV_ENV) $(BIN)/python manage.py createcachetable
	$(DEV_ENV) $(BIN)/python manage.py load_demo_content
	$(DEV_ENV) $(BIN)/python manage.py rebuild_search_index
	@echo ""
	@echo "DiseaseMaps is running on http://127.0.0.1:$(PORT)/  (admin: http://127.0.0.1:$(PORT)/admin/)"
	@echo "Stop it with Ctrl-C. A task worker runs alongside: the e-mails it sends are printed here."
	@$(DEV_ENV) $(BIN)/python manage.py run_worker --no-reload --verbosity 0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(DEV_ENV) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Debian's chromium drives the browser tests; Playwright never downloads a browser of its own.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium for the browser tests..."; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; \
	}

# Debian's redis-server: the tests that need Redis start their own throwaway one.
services:
	@command -v redis-server >/dev/null 2>&1 || { \
		echo "Installing Debian's redis-server for the tests..."; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq redis-server >/dev/null; \
	}

# The page checkers (axe-core, the Nu HTML checker, Lighthouse) come from package-lock.json.
# Install scripts are not run: vnu-jar's only downloads a Java we already have.
node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "npm (Node.js 18+) is needed for the page checkers" >&2; exit 1; }
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

npm: node_modules/.installed

test: install-dev browser services npm lint
	scripts/test.sh

# ruff, and the layers of the apps (import-linter, contracts in pyproject.toml).
lint: install-dev
	$(BIN)/python -m ruff check .
	$(BIN)/python -m ruff format --check .
	$(BIN)/lint-imports --no-cache

# Reports, not gates: each writes its figures to a file under docs/ that the README links.
audit: install-dev browser npm
	scripts/audit.sh

bench: install-dev
	scripts/bench.sh

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 .pytest_cache .ruff_cache node_modules
