from django.apps import AppConfig
from django.contrib.auth import get_user_model
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save


class PtbuilderConfig(AppConfig):
    """The project itself: it keeps cached tokens in step with accounts, and a changed password
    revokes them."""

    name = "ptbuilder"

    def ready(self):
        from knox.models import AuthToken

        from . import checks, passwords, tokens  # noqa: F401 - checks registers itself

        user = get_user_model()
        post_delete.connect(tokens.token_deleted, sender=AuthToken, dispatch_uid="token-deleted")
        for signal in (post_save, post_delete):
            signal.connect(tokens.user_changed, sender=user, dispatch_uid="user-changed")
        m2m_changed.connect(
            tokens.groups_changed, sender=user.groups.through, dispatch_uid="groups-changed"
        )
        pre_save.connect(passwords.password_changing, sender=user, dispatch_uid="password-changing")
        post_save.connect(passwords.password_changed, sender=user, dispatch_uid="password-changed")
