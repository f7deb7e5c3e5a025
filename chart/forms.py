"""Forms on the client's page."""

from django import forms
from django.db.models import F

from programs.models import Program


class TemplateChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, program):
        return f"{program.title} ({'shared' if program.is_shared else 'yours'})"


class NewProgramForm(forms.Form):
    """The template a client's new program is copied from: any program without a client the
    therapist may see (the shared ones and their own), archived ones aside. Any other id, as a
    tampered post would send, is a form error."""

    template = TemplateChoiceField(queryset=Program.objects.none(), empty_label=None)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = (
            Program.objects.visible_to(user)
            .templates()
            .exclude(status=Program.Status.ARCHIVED)
            .order_by(F("owner").asc(nulls_first=True), "title", "id")
        )
