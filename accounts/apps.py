from django.apps import AppConfig
from django.contrib.auth import get_user_model
from django.db.models.signals import post_save, pre_save


class AccountsConfig(AppConfig):
    """A changed password revokes the account's tokens (passwords.py)."""

    name = "accounts"

    def ready(self):
        from . import passwords

        user = get_user_model()
        pre_save.connect(passwords.password_changing, sender=user, dispatch_uid="password-changing")
        post_save.connect(passwords.password_changed, sender=user, dispatch_uid="password-changed")
