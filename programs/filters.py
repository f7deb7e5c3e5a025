import django_filters

from .models import Program


class ProgramFilter(django_filters.FilterSet):
    is_template = django_filters.BooleanFilter(field_name="client", lookup_expr="isnull")

    class Meta:
        model = Program
        fields = ["client", "status", "is_template", "condition"]
