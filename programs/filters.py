import django_filters

from clients.models import Client
from exercises.models import Condition
from ptbuilder.filters import BooleanFilter, FilterSet

from .models import Program


def own_clients(request):
    """Only the caller's clients: another therapist's answers like a client that does not exist."""
    return Client.objects.of(request.user) if request is not None else Client.objects.none()


class ProgramFilter(FilterSet):
    client = django_filters.ModelChoiceFilter(queryset=own_clients)
    is_template = BooleanFilter(field_name="client", lookup_expr="isnull")
    condition = django_filters.ModelChoiceFilter(
        to_field_name="slug", queryset=Condition.objects.all()
    )

    class Meta:
        model = Program
        fields = ["client", "status", "is_template", "condition"]
