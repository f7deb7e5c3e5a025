from django.apps import AppConfig
from django.db.models.signals import post_save


class ProgramsConfig(AppConfig):
    name = "programs"

    def ready(self):
        from exercises.models import Exercise

        from .caching import library_changed

        post_save.connect(library_changed, sender=Exercise, dispatch_uid="library-changed")
