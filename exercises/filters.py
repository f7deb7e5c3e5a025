import django_filters

from ptbuilder.filters import BooleanFilter, FilterSet

from .models import BodyRegion, Category, Condition, Equipment, Exercise
from .selectors import SEARCH_HELP, exercise_search


def by_slug(model, field_name):
    return django_filters.ModelChoiceFilter(
        field_name=field_name, to_field_name="slug", queryset=model.objects.all()
    )


class ExerciseFilter(FilterSet):
    search = django_filters.CharFilter(method="filter_search", label=SEARCH_HELP)
    category = by_slug(Category, "category")
    equipment = by_slug(Equipment, "equipment")
    body_region = by_slug(BodyRegion, "body_regions")
    condition = by_slug(Condition, "conditions")
    mine = BooleanFilter(
        method="filter_mine", label="true: only my custom exercises; false: only shared ones"
    )

    class Meta:
        model = Exercise
        fields = ["category", "equipment", "body_region", "laterality", "dosing", "condition"]

    def filter_search(self, queryset, name, value):
        """The library's one search rule, which the admin's search box uses too."""
        return exercise_search(queryset=queryset, text=value)

    def filter_mine(self, queryset, name, value):
        if value:
            return queryset.filter(owner=self.request.user)
        return queryset.filter(owner__isnull=True)
