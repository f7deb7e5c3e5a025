"""Renderings of programs and of the library, cached in Django's cache (see CACHES).

Keys carry the generation tokens (ptbuilder/generations.py, read from the database in the same
request) of what a rendering is built from:

- "program:<id>": the program and its contents, its client's record, its owner's name, and the
  sessions logged against it (a session can move a gated rule or flag an item for review);
- "client:<id>": the client's record, programs and sessions (their app's list of programs);
- "library": the exercises and everything they show (see exercises/apps.py).

Signals replace the tokens on every save or delete of programs, sessions, clients, therapists
and library rows (connected in apps.py), so no write path can forget to. A program's blocks,
items and rules are only written together with the program itself, whose version rises
(services.py and the admin), so its save stands for them.
"""

from collections.abc import Callable

from django.core.cache import cache

from ptbuilder.generations import DAY, LIBRARY, current, invalidate
from ptbuilder.rendering import user_scope

from .models import Program


def program_scope(program_id: int) -> str:
    return f"program:{program_id}"


def client_scope(client_id: int) -> str:
    return f"client:{client_id}"


def key(program, kind: str, *details, generations: str | None = None) -> str:
    """The cache key of one of `program`'s renderings (serialized, PDF...) in its current state,
    read from the database now (or given, when read for several programs at once)."""
    if generations is None:
        generations = current(program_scope(program.pk), LIBRARY)
    parts = ":".join(str(detail) for detail in details)
    return f"program:{program.pk}:v{program.version}:{generations}:{kind}:{parts}"


def cached(program, kind: str, build: Callable[[], object], *details) -> object:
    """`build()` once per program version, library state and `details` (units...)."""
    [value] = cached_many([program], kind, lambda _: {program.pk: build()}, lambda _: details)
    return value


def cached_many(
    programs: list,
    kind: str,
    build_many: Callable[[list], dict],
    details_of: Callable[[object], tuple],
) -> list:
    """Values for several programs in order; their states are read in one query, the missing
    values built in one batch."""
    tokens = current(LIBRARY, *(program_scope(program.pk) for program in programs)).split(".")
    library, own = tokens[0], tokens[1:]
    keys = [
        key(program, kind, *details_of(program), generations=f"{token}.{library}")
        for program, token in zip(programs, own, strict=True)
    ]
    found = cache.get_many(keys)
    missing = [program for program, key in zip(programs, keys, strict=True) if key not in found]
    if missing:
        built = build_many(missing)
        fresh = {
            key: built[program.pk]
            for program, key in zip(programs, keys, strict=True)
            if key not in found
        }
        cache.set_many(fresh, timeout=DAY)
        found.update(fresh)
    return [found[key] for key in keys]


def program_scopes(**lookup) -> list[str]:
    """The scopes of the programs that match `lookup` (one query)."""
    programs = Program.objects.filter(**lookup).values_list("pk", flat=True)
    return [program_scope(pk) for pk in programs]


def program_changed(sender, instance, **kwargs) -> None:
    scopes = [program_scope(instance.pk)]
    if instance.client_id:
        scopes.append(client_scope(instance.client_id))
    invalidate(*scopes)


def session_changed(sender, instance, **kwargs) -> None:
    invalidate(program_scope(instance.program_id), client_scope(instance.client_id))


def client_changed(sender, instance, created=False, **kwargs) -> None:
    """A client's record shows in their programs and in what their app account is shown."""
    scopes = [client_scope(instance.pk)]
    if instance.user_id:
        scopes.append(user_scope(instance.user_id))
    if not created:
        scopes += program_scopes(client_id=instance.pk)
    invalidate(*scopes)


SHOWN_OF_THE_OWNER = {"username", "first_name", "last_name", "email"}


def owner_changed(sender, instance, created=False, update_fields=None, **kwargs) -> None:
    """A therapist's name and e-mail show on their printed programs (not a log-in's time)."""
    if created or (update_fields is not None and not SHOWN_OF_THE_OWNER & set(update_fields)):
        return
    invalidate(*program_scopes(owner_id=instance.pk))


def client_moving(sender, instance, **kwargs) -> None:
    """An app account that loses its client profile must not keep seeing its renderings."""
    if instance.pk is None:
        return
    previous = sender.objects.filter(pk=instance.pk).values_list("user_id", flat=True).first()
    if previous and previous != instance.user_id:
        invalidate(user_scope(previous))
