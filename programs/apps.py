from django.apps import AppConfig
from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, post_save, pre_save


class ProgramsConfig(AppConfig):
    name = "programs"

    def ready(self):
        """Changes to programs, sessions and clients renew their cached renderings."""
        from . import caching
        from .models import Client, Program, Session

        receivers = {
            Program: caching.program_changed,
            Session: caching.session_changed,
            Client: caching.client_changed,
        }
        for model, receiver in receivers.items():
            for signal in (post_save, post_delete):
                signal.connect(receiver, sender=model, dispatch_uid=f"cache-{model.__name__}")
        post_save.connect(caching.owner_changed, sender=get_user_model(), dispatch_uid="owner")
        pre_save.connect(caching.client_moving, sender=Client, dispatch_uid="client-moving")
