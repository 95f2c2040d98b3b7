# Stegvis — the public commands. See README.md.
SHELL := /bin/sh
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run setup venv install migrate demo serve serve-prod test e2e lint format bench worker clean lock mypy-baseline

run: setup
	@echo "Stegvis: serving on http://$(HOST):$(PORT)/ (background worker started too; Ctrl-C stops both)"
	@$(PY) manage.py db_worker >var/worker.log 2>&1 & worker=$$!; \
	trap "kill $$worker 2>/dev/null" EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST):$(PORT)

setup: install migrate demo

$(PY):
	@python=$$(scripts/find-python) || exit 1; \
	echo "Using $$python"; \
	$$python -m venv $(VENV)

$(STAMP): $(PY) pyproject.toml constraints.txt
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

migrate: install
	@mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable

# Seeds once; the marker file keeps `make setup` safe to run again.
demo: migrate
	@if [ -f var/demo-credentials.json ]; then \
		echo "Demo data already present (var/demo-credentials.json)."; \
	else \
		$(PY) manage.py seed_demo --credentials var/demo-credentials.json || exit 1; \
	fi
	@$(PY) manage.py show_demo_credentials var/demo-credentials.json

serve: install
	$(PY) manage.py runserver $(HOST):$(PORT)

worker: install
	$(PY) manage.py db_worker

# The production stack locally: gunicorn + worker against PostgreSQL, production
# settings, throw-away keys kept in var/prod-keys.env (never use these for real).
PROD_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/stegvis_prod
serve-prod: install
	@scripts/serve-prod "$(PROD_DATABASE_URL)"

test: install
	$(PY) -m pytest -n 2 -q $(PYTEST_ARGS)

# Only the browser tests (also part of `make test`): Playwright driving the system
# Chromium (Debian package chromium; no browser is downloaded). Screenshots go to
# screenshots/ (git-ignored). Without Chromium they skip locally and fail in CI.
e2e: install
	$(PY) -m pytest tests/e2e -m e2e -q $(PYTEST_ARGS)

# Type checking: mypy over the product code ([tool.mypy] in pyproject.toml: every
# top-level package but tests, bench and migrations), against mypy-baseline.txt,
# which may only shrink; see scripts/typecheck.
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	scripts/typecheck check

# Rewrite mypy-baseline.txt from mypy's current errors (after fixing some).
mypy-baseline: install
	scripts/typecheck update

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: install
	$(PY) -m bench --scale 1000 --db sqlite --json var/bench-sqlite.json

# Regenerate constraints.txt from the ranges in pyproject.toml.
lock: $(PY)
	rm -rf var/lockenv && $$(scripts/find-python) -m venv var/lockenv
	var/lockenv/bin/pip install --quiet '.[dev]'
	var/lockenv/bin/pip freeze --exclude stegvis > constraints.txt
	rm -rf var/lockenv

clean:
	rm -rf $(VENV) var/db.sqlite3 var/demo-credentials.json
