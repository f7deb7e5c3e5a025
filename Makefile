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
	$(PY) -m pytest -n auto $(PYTEST_ARGS)

BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/ptbuilder_bench
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/2

bench: $(VENV)/installed
	DATABASE_URL= REDIS_URL= $(PY) bench/run.py
	DATABASE_URL=$(BENCH_DATABASE_URL) REDIS_URL=$(BENCH_REDIS_URL) $(PY) bench/run.py

load: $(VENV)/installed
	bench/load/run

lint: $(VENV)/installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
