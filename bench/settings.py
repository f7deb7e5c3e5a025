"""Benchmark settings: the project's plus the floor views; data goes to a throwaway test
database (in memory for SQLite, test_<name> for PostgreSQL)."""

import warnings

from ptbuilder.settings import *  # noqa: F403

warnings.filterwarnings("ignore", "No directory at", UserWarning)  # static files: not collected

DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
ROOT_URLCONF = "bench.urls"
LOGGING = {"version": 1, "disable_existing_loggers": True}
