import django_filters

from clients.filters import own_clients
from exercises.models import Condition
from ptbuilder.filters import BooleanFilter, FilterSet

from .models import Program


class ProgramFilter(FilterSet):
    client = django_filters.ModelChoiceFilter(queryset=own_clients)
    is_template = BooleanFilter(field_name="client", lookup_expr="isnull")
    condition = django_filters.ModelChoiceFilter(
        to_field_name="slug", queryset=Condition.objects.all()
    )

    class Meta:
        model = Program
        fields = ["client", "status", "is_template", "condition"]
