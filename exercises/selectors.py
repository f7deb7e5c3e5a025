"""Reads of the library."""

import operator
from functools import reduce

from django.db.models import Q, QuerySet
from rest_framework.filters import search_smart_split

from .models import Exercise

SEARCH_FIELDS = [
    "name",
    "summary",
    "steps",
    "cues",
    "precautions",
    "category__name",
    "equipment__name",
    "body_regions__name",
    "target_tissues__name",
    "conditions__name",
]
"""What a search looks in: the exercise's name and text, and the names of its taxonomy."""
SEARCH_HELP = (
    "Words or quoted phrases, each found in the name, text, category, condition, equipment, "
    "body region or target tissue."
)


def exercise_search(*, queryset: QuerySet[Exercise], text: str) -> QuerySet[Exercise]:
    """The exercises in `queryset` in which every term of `text` (words, or "quoted phrases",
    as the API has always split them) is found in one of SEARCH_FIELDS, ignoring case.

    The one search rule of the library, for the API's `search` and the admin's search box alike.
    A field across a to-many relation is matched through one subquery of its link table rather
    than a join, so an exercise is listed once however many of its tissues (or other terms)
    match, and the exercises table is read once.
    """
    for term in search_smart_split(text.replace("\x00", "")):  # no stored text holds a NUL
        queryset = queryset.filter(
            reduce(operator.or_, (_match(field, term) for field in SEARCH_FIELDS))
        )
    return queryset


def _match(field: str, term: str) -> Q:
    name, _, related_field = field.partition("__")
    relation = Exercise._meta.get_field(name)
    if not relation.many_to_many:
        return Q(**{f"{field}__icontains": term})
    lookup = f"{relation.m2m_reverse_field_name()}__{related_field}__icontains"
    links = relation.remote_field.through.objects.filter(**{lookup: term})
    return Q(pk__in=links.values(relation.m2m_field_name()))
