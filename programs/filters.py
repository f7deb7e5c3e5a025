import django_filters

from exercises.models import Condition

from .models import Client, Program


def own_clients(request):
    """Only the caller's clients: another therapist's answers like a client that does not exist."""
    return Client.objects.of(request.user) if request is not None else Client.objects.none()


class ProgramFilter(django_filters.FilterSet):
    client = django_filters.ModelChoiceFilter(queryset=own_clients)
    is_template = django_filters.BooleanFilter(field_name="client", lookup_expr="isnull")
    condition = django_filters.ModelChoiceFilter(
        to_field_name="slug", queryset=Condition.objects.all()
    )

    class Meta:
        model = Program
        fields = ["client", "status", "is_template", "condition"]
