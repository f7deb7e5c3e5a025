"""System checks of the deployment (`manage.py check --deploy`)."""

from django.conf import settings
from django.core import checks

PROCESS_LOCAL_CACHE = "django.core.cache.backends.locmem.LocMemCache"


@checks.register(checks.Tags.caches, deploy=True)
def shared_cache(app_configs, **kwargs):
    """Server processes must share one cache, or one of them serves what another has changed."""
    if settings.CACHES["default"]["BACKEND"] != PROCESS_LOCAL_CACHE:
        return []
    return [
        checks.Warning(
            "The cache is local to each server process: with more than one, a process keeps "
            "serving programs, PDFs and log-ins that another has changed or revoked.",
            hint="Set REDIS_URL so that every process shares one Redis cache.",
            id="ptbuilder.W001",
        )
    ]
