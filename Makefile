# Two commands for a fresh machine (see README): `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: demo test install install-test system-deps translations migration lint messages

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python system-deps
	$(BIN)/pip install --quiet -e .
	$(MAKE) --no-print-directory translations

install-test: $(BIN)/python system-deps
	$(BIN)/pip install --quiet -e '.[test]'
	$(MAKE) --no-print-directory translations

# Debian packages WeasyPrint (PDFs) and the browser tests need; installed when missing.
system-deps:
	@sh .ci/system-deps

translations:
	$(BIN)/pybabel -q compile -d app/translations

demo: install
	$(BIN)/tianguis demo
	$(BIN)/tianguis run --host $(HOST) --port $(PORT)

test: install-test
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest $(PYTEST_ARGS)

# A new migration for the models' changes: `make migration MSG="what changed"` (the
# schema is built from the existing migrations in a scratch database, then compared).
migration:
	rm -f /tmp/tianguis-migration.db
	DATABASE_URL=sqlite:////tmp/tianguis-migration.db $(BIN)/tianguis db upgrade >/dev/null
	DATABASE_URL=sqlite:////tmp/tianguis-migration.db $(BIN)/tianguis db revision --autogenerate -m "$(MSG)"
	$(BIN)/ruff format migrations/versions >/dev/null

lint:
	$(BIN)/ruff check .
	$(BIN)/mypy

# Refresh the Spanish catalogue from the source strings (then translate the new entries).
messages: $(BIN)/python
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 -k lazy_pgettext:1c,2 \
		--add-comments=TRANSLATORS: -o /tmp/tianguis-messages.pot .
	$(BIN)/pybabel -q update -i /tmp/tianguis-messages.pot -d app/translations --no-fuzzy-matching
