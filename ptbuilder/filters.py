"""Query filters that reject what they cannot read instead of quietly ignoring it."""

import operator
from functools import reduce

import django_filters
import django_filters.rest_framework
from django import forms
from django.db import models
from django.db.models import Q
from rest_framework import filters
from rest_framework.exceptions import ValidationError

BOOLEAN_VALUES = {"true": True, "false": False}


class StrictBooleanField(forms.Field):
    """`true` or `false`; anything else is a 400 naming the parameter (django-filter's own
    boolean filter treats "maybe" as if the parameter were absent)."""

    widget = forms.TextInput

    def to_python(self, value):
        if value is None:
            return None
        if value not in BOOLEAN_VALUES:
            raise forms.ValidationError('Either "true" or "false".', code="invalid")
        return BOOLEAN_VALUES[value]


class BooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class FilterSet(django_filters.rest_framework.FilterSet):
    """An empty value is a 400 where the schema wants a boolean, a number or a choice; it still
    means "no filter" for a parameter that takes any text (a slug)."""

    FILTER_DEFAULTS = {
        **django_filters.rest_framework.FilterSet.FILTER_DEFAULTS,
        models.BooleanField: {"filter_class": BooleanFilter},
    }

    def is_valid(self):
        valid = super().is_valid()
        for name, query_filter in self.filters.items():
            if name in self.form.errors:
                continue
            if self.data.get(name) == "" and not takes_text(query_filter):
                self.form.add_error(name, "Give a value or leave the parameter out.")
                valid = False
        return valid


def takes_text(query_filter) -> bool:
    if isinstance(query_filter, django_filters.ModelChoiceFilter):
        return query_filter.extra.get("to_field_name") not in (None, "pk", "id")
    return isinstance(query_filter, django_filters.CharFilter)


class SearchFilter(filters.SearchFilter):
    """`?search=`: every term in one of the view's `search_fields`; a value it cannot use (a NUL
    character) is a 400 naming the parameter."""

    def filter_queryset(self, request, queryset, view):
        """DRF's search, except that a field across a to-many relation (an exercise's tissues)
        is matched through one subquery of ids rather than a subquery for every row, which
        took most of the time over 10,000 exercises."""
        fields = self.get_search_fields(view, request)
        terms = self.get_search_terms(request)
        if not fields or not terms:
            return queryset
        for term in terms:
            matches = (self.condition(queryset, field, term) for field in fields)
            queryset = queryset.filter(reduce(operator.or_, matches))
        return queryset

    def condition(self, queryset, field, term) -> Q:
        lookup = {self.construct_search(str(field), queryset): term}
        if self.must_call_distinct(queryset, [field]):
            return Q(pk__in=queryset.model._default_manager.filter(**lookup).values("pk"))
        return Q(**lookup)

    def get_search_terms(self, request):
        try:
            return super().get_search_terms(request)
        except ValidationError as error:
            raise ValidationError({self.search_param: error.detail}) from error


class OrderingFilter(filters.OrderingFilter):
    """`ordering` as a comma-separated list of the view's `ordering_fields` (each may be
    descending, `-name`); any other term is a 400 naming it (DRF's own filter drops it)."""

    def remove_invalid_fields(self, queryset, fields, view, request):
        valid = super().remove_invalid_fields(queryset, fields, view, request)
        unknown = [term for term in fields if term not in valid]
        if unknown:
            names = [
                name for name, _ in self.get_valid_fields(queryset, view, {"request": request})
            ]
            raise ValidationError(
                {
                    self.ordering_param: [
                        f"Unknown ordering {unknown[0]!r}; choose from {', '.join(names)}"
                        " (a leading '-' for descending), comma-separated."
                    ]
                }
            )
        return valid
