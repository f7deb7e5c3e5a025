"""Benchmark settings: the project's plus the floor views; data goes to a throwaway test
database (in memory for SQLite, test_<name> for PostgreSQL)."""

import warnings

from ptbuilder.settings import *  # noqa: F403

warnings.filterwarnings("ignore", "No directory at", UserWarning)  # static files: not collected

DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
ROOT_URLCONF = "bench.urls"
LOGGING = {"version": 1, "disable_existing_loggers": True}
AUDIT_READ_SECONDS = 3600
"""Audited reads are written when a batch is full and at the end; a timer thread writing them
would compete with the data loading for the shared in-memory SQLite database."""
