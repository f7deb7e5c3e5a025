"""A changed password revokes every token of the account.

Whoever learnt the old password may hold a token made with it; the change is the owner's way to
end that. Judged on the user's save, whatever made the change (the admin's password forms,
`set_password` anywhere), by comparing the stored hash; a queryset `update()` of passwords is not
seen. The session that made a change in the admin stays signed in (Django renews its hash).
"""

from knox.models import AuthToken


def password_changing(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    """pre_save: notes whether the save replaces the stored password hash."""
    if raw or instance._state.adding or instance.pk is None:
        return
    if update_fields is not None and "password" not in update_fields:
        return
    if "password" in instance.get_deferred_fields():
        return  # never loaded, so not set either; the save leaves it alone
    stored = sender._default_manager.filter(pk=instance.pk).values_list("password", flat=True)
    instance._password_changed = next(iter(stored), instance.password) != instance.password


def password_changed(sender, instance, **kwargs) -> None:
    """post_save: deletes the tokens in the save's transaction; every request checks its token
    against the database (tokens.py)."""
    if instance.__dict__.pop("_password_changed", False):
        AuthToken.objects.filter(user_id=instance.pk).delete()
