from django import forms

from .models import Exercise, Parameter


class LinesField(forms.CharField):
    """A list of texts edited as one line each, in order."""

    widget = forms.Textarea(attrs={"rows": 6, "cols": 90})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value):
        return [line.strip() for line in (value or "").splitlines() if line.strip()]


class ExerciseAdminForm(forms.ModelForm):
    steps = LinesField(required=False, help_text="One step per line, in order.")
    cues = LinesField(required=False, help_text="One cue per line.")
    precautions = LinesField(required=False, help_text="One precaution per line.")
    progressable = forms.MultipleChoiceField(
        choices=Parameter.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Dose parameters a program's progression rules may change.",
    )

    class Meta:
        model = Exercise
        fields = ["steps", "cues", "precautions", "progressable"]  # the rest: the admin's fieldsets
