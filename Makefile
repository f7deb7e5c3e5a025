# The two commands of README.md: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000

.PHONY: run test setup lint bench load

$(VENV)/installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

setup: $(VENV)/installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_library
	$(PY) manage.py setup_demo

run: setup
	@echo "Serving on http://$(HOST)/ (admin: /admin/, API docs: /api/docs/)"
	$(PY) manage.py runserver $(HOST)

test: $(VENV)/installed
	$(PY) -m pytest $(PYTEST_ARGS)

bench: $(VENV)/installed
	$(PY) bench/run.py

load: $(VENV)/installed
	bench/load/run

lint: $(VENV)/installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
