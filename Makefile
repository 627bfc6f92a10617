# DiseaseMaps: two commands do everything from a clean clone.
#   make run    set up a development site on SQLite with demo content and serve it
#   make test   set up everything the suite needs and run it on PostgreSQL, then SQLite

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

# Development values, set explicitly: the settings' defaults are the production ones.
DEV_ENV := DEBUG=1

.DEFAULT_GOAL := help
.PHONY: help run test install install-dev browser static lint bench clean

help:
	@echo "make run    serve the demo site on http://127.0.0.1:$(PORT) (SQLite)"
	@echo "make test   run the whole suite (PostgreSQL, then SQLite)"
	@echo "make lint   ruff only"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

run: install
	$(DEV_ENV) $(BIN)/python manage.py migrate --verbosity 0
	$(DEV_ENV) $(BIN)/python manage.py createcachetable
	$(DEV_ENV) $(BIN)/python manage.py load_demo_content
	@echo ""
	@echo "DiseaseMaps is running on http://127.0.0.1:$(PORT)/  (admin: http://127.0.0.1:$(PORT)/admin/)"
	@echo "Stop it with Ctrl-C."
	$(DEV_ENV) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Debian's chromium drives the browser tests; Playwright never downloads a browser of its own.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium for the browser tests..."; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; \
	}

test: install-dev browser
	$(BIN)/python -m ruff check .
	$(BIN)/python -m ruff format --check .
	scripts/test.sh

lint: install-dev
	$(BIN)/python -m ruff check .
	$(BIN)/python -m ruff format --check .

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 .pytest_cache .ruff_cache
