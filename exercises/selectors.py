"""Reads of the library."""

import operator
from functools import reduce

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connections
from django.db.models import F, Lookup, Q, QuerySet
from rest_framework.filters import search_smart_split

from .models import Category, Exercise

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
    Each term is matched as one set of ids, the union of a query per table (the exercise's own
    text, its category, each link table), so an exercise is listed once however many of its
    tissues match, and no join multiplies the exercises read.
    """
    on_postgresql = connections[queryset.db].vendor == "postgresql"
    for term in search_smart_split(text.replace("\x00", "")):  # no stored text holds a NUL
        ids = _matching_ids(term)
        queryset = queryset.filter(
            AnyOf(F("pk"), ArraySubquery(ids)) if on_postgresql else Q(pk__in=ids)
        )
    return queryset


def _matching_ids(term: str) -> QuerySet:
    own = reduce(
        operator.or_,
        (Q(**{f"{field}__icontains": term}) for field in SEARCH_FIELDS if "__" not in field),
    )
    categories = Category.objects.filter(name__icontains=term)
    parts = [Exercise.objects.filter(own), Exercise.objects.filter(category__in=categories)]
    parts = [part.order_by().values("pk") for part in parts]  # a UNION's parts take no ORDER BY
    for field in SEARCH_FIELDS:
        name, _, related_field = field.partition("__")
        relation = Exercise._meta.get_field(name)
        if relation.many_to_many:
            lookup = f"{relation.m2m_reverse_field_name()}__{related_field}__icontains"
            links = relation.remote_field.through.objects.filter(**{lookup: term})
            parts.append(links.order_by().values(relation.m2m_field_name()))
    first, *rest = parts
    return first.union(*rest)


class AnyOf(Lookup):
    """`id = ANY(ARRAY(...))`, for PostgreSQL: the ids are found once, planned to be read in full,
    so the trigram indexes of migration 0005 answer the text; then each exercise is read by its
    key. As `IN (...)` the planner guesses from the table's statistics, or their absence (a
    table just filled), and may read every exercise once for each id."""

    lookup_name = "any_of"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", (*lhs_params, *rhs_params)
