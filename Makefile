# Renda: `make run` serves the platform with demo data (what a county office runs), `make dev`
# is the same with Django's autoreloading debug server, `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RENDA := $(BIN)/renda
HOST ?= 127.0.0.1
PORT ?= 8000
# The tests run in parallel, one pytest-xdist worker per core (at most 8: each worker has
# its own test database and Redis database, see tests/conftest.py). TEST_WORKERS=0 runs
# them in one process; PYTEST_ARGS adds options (e.g. PYTEST_ARGS="-x tests/cases").
TEST_WORKERS ?= auto
PYTEST_ARGS ?=

.PHONY: run dev test pytest bench install install-test assets chromium fonts lint messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

# Front-end packages come from npm and are served from our own static files, never a CDN.
renda/static/vendor/.built: package.json package-lock.json scripts/build_assets.py
	npm ci --no-audit --no-fund --loglevel=error
	$(BIN)/python scripts/build_assets.py
	touch $@

assets: $(BIN)/python renda/static/vendor/.built

# Browser tests drive Debian's Chromium and the archive tests read PDFs with poppler's
# pdftotext; install what is missing when we are allowed to.
chromium:
	@missing=""; command -v chromium >/dev/null 2>&1 || missing="chromium fonts-noto-cjk"; \
	  command -v pdftotext >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	  [ -z "$$missing" ] || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null) \
	      || echo "$$missing could not be installed: the tests that need them will be skipped"; \
	  else echo "$$missing missing and not installable here: the tests that need them will be skipped"; fi; }

# Duty archives are PDFs with Chinese text: they need a CJK font (Debian's Noto CJK).
fonts:
	@fc-list :lang=zh 2>/dev/null | grep -q . || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk >/dev/null) \
	      || echo "fonts-noto-cjk could not be installed: PDF archives will lack Chinese glyphs"; \
	  else echo "no Chinese font found: install fonts-noto-cjk for the PDF duty archives"; fi; }

# `make run`: RENDA_ENV=server (README): gunicorn with DEBUG off on HOST:PORT (plain HTTP, for
# the office's network or a TLS proxy in front), static files collected into the data
# directory, keys generated once into it, the task worker and the scheduler. The three stop
# together on Ctrl-C or TERM, and when one of them exits.
SERVE_ENV = RENDA_ENV=$${RENDA_ENV:-server} HOST=$(HOST) PORT=$(PORT)
# `make dev` keeps its own data (development keys) apart from `make run`'s.
DEV_ENV = RENDA_VAR_DIR=$${RENDA_VAR_DIR:-$(CURDIR)/var/dev} HOST=$(HOST) PORT=$(PORT)
STOP_TOGETHER = trap 'trap - INT TERM EXIT; kill 0 2>/dev/null' INT TERM EXIT

run: install assets fonts
	$(SERVE_ENV) $(RENDA) migrate --noinput
	$(SERVE_ENV) $(RENDA) createcachetable
	$(SERVE_ENV) $(RENDA) collectstatic --noinput --verbosity 0
	$(SERVE_ENV) $(RENDA) seed --scale small --if-empty
	@export $(SERVE_ENV); $(STOP_TOGETHER); \
	  $(RENDA) worker & \
	  $(RENDA) scheduler & \
	  $(BIN)/gunicorn --config python:renda.gunicorn_conf renda.wsgi:application & \
	  wait -n

dev: install assets fonts
	$(DEV_ENV) $(RENDA) migrate --noinput
	$(DEV_ENV) $(RENDA) createcachetable
	$(DEV_ENV) $(RENDA) seed --scale small --if-empty
	@export $(DEV_ENV); $(STOP_TOGETHER); \
	  $(RENDA) worker & \
	  $(RENDA) scheduler & \
	  $(RENDA) runserver $(HOST):$(PORT) & \
	  wait -n

lint: install-test
	$(BIN)/ruff check renda tests scripts
	$(BIN)/ruff format --check renda tests scripts
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(RENDA) makemigrations --check --dry-run

test: lint pytest

# The test suite alone (what `make test` runs after the lint).
pytest: install-test assets chromium
	$(BIN)/python -m pytest --numprocesses $(TEST_WORKERS) --maxprocesses 8 --dist loadgroup $(PYTEST_ARGS)

# Every benchmark on SQLite, then on PostgreSQL as well when DATABASE_URL names one (the
# production engine); each line says which. Both runs work in scratch databases of their own
# (renda/bench/scratch.py), never in the database DATABASE_URL names.
bench: install assets
	@status=0; \
	  env -u DATABASE_URL $(RENDA) bench all --json || status=1; \
	  case "$${DATABASE_URL:-}" in \
	    postgres://*|postgresql://*|pgsql://*) $(RENDA) bench all --json || status=1 ;; \
	    *) echo "[bench] DATABASE_URL names no PostgreSQL database: SQLite only" >&2 ;; \
	  esac; \
	  exit $$status

messages: install
	cd renda && ../$(RENDA) makemessages --locale en --no-obsolete --ignore 'static/vendor/*'
	cd renda && ../$(RENDA) compilemessages --locale en

clean:
	rm -rf $(VENV) node_modules renda/static/vendor var
