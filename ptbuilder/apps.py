from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate


class PtbuilderConfig(AppConfig):
    name = "ptbuilder"

    def ready(self):
        from . import caching, checks  # noqa: F401 - checks registers the project's checks

        pre_migrate.connect(caching.drop_triggers, sender=self, dispatch_uid="triggers")
        post_migrate.connect(caching.install_triggers, sender=self, dispatch_uid="triggers")
