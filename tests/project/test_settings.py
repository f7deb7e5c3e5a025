import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "x7#kq2!vz9@mw4$pr8^ty1&nb6*hc3(jd5)lf0_ge-sa+ui=ox{ry}ep|wt",
    "ALLOWED_HOSTS": "pt.example.com",
    "DATABASE_URL": "sqlite:////tmp/ptbuilder-deploy-check.sqlite3",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


def manage(*args, **env):
    clean = {key: value for key, value in os.environ.items() if key not in PRODUCTION}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_is_clean_with_production_variables():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deploy_check_warns_that_a_process_local_cache_is_not_shared():
    settings = {key: value for key, value in PRODUCTION.items() if key != "REDIS_URL"}
    result = manage("check", "--deploy", "--fail-level", "WARNING", **settings)
    assert result.returncode != 0
    assert "ptbuilder.W001" in result.stderr
    assert "Set REDIS_URL" in result.stderr


def test_secret_key_is_required_when_debug_is_off():
    settings = {key: value for key, value in PRODUCTION.items() if key != "SECRET_KEY"}
    result = manage("check", **settings)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_database_url_selects_the_database():
    code = "from django.conf import settings; print(settings.DATABASES['default']['ENGINE'])"
    postgres = manage("shell", "-c", code, DATABASE_URL="postgres://u@db.example/pt")
    assert postgres.stdout.strip().endswith("postgresql")
    assert manage("shell", "-c", code).stdout.strip().endswith("sqlite3")
    assert manage("shell", "-c", code, DATABASE_URL="").stdout.strip().endswith("sqlite3")
