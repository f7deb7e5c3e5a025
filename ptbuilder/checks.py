"""System checks of the deployment (`manage.py check --deploy`)."""

from django.conf import settings
from django.core import checks

PROCESS_LOCAL_CACHE = "django.core.cache.backends.locmem.LocMemCache"


@checks.register(checks.Tags.caches, deploy=True)
def shared_cache(app_configs, **kwargs):
    """Several server processes should share one cache: with a local one each renders its own
    copies and counts its own share of the log-in rate limit (nothing is served stale)."""
    if settings.CACHES["default"]["BACKEND"] != PROCESS_LOCAL_CACHE:
        return []
    return [
        checks.Warning(
            "The cache is local to each server process: with more than one, each renders its "
            "own copies of programs and PDFs and counts its own share of the log-in rate limit.",
            hint="Set REDIS_URL so that every process shares one Redis cache.",
            id="ptbuilder.W001",
        )
    ]
