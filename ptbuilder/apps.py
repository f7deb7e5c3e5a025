from django.apps import AppConfig
from django.contrib.auth import get_user_model
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save


class PtbuilderConfig(AppConfig):
    """The project itself: renderings cached per caller follow the caller's account, and a
    changed password revokes the account's tokens."""

    name = "ptbuilder"

    def ready(self):
        from . import checks, passwords, rendering  # noqa: F401 - checks registers itself

        user = get_user_model()
        for signal in (post_save, post_delete):
            signal.connect(rendering.user_changed, sender=user, dispatch_uid="user-changed")
        m2m_changed.connect(
            rendering.groups_changed, sender=user.groups.through, dispatch_uid="groups-changed"
        )
        pre_save.connect(passwords.password_changing, sender=user, dispatch_uid="password-changing")
        post_save.connect(passwords.password_changed, sender=user, dispatch_uid="password-changed")
