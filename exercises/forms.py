from django import forms
from rest_framework import serializers

from .models import Exercise, Parameter
from .serializers import ExerciseSerializer
from .widgets import LinesWidget


class LinesField(forms.Field):
    """A list of texts edited one line each, in order, and saved as a JSON list of strings.

    Blank lines are dropped and the rest trimmed; a posted value holding line breaks is several
    lines. The list then passes the API's own rule for the field (how many lines, how long, no
    NUL characters), so the admin and the API accept the same lists.
    """

    def __init__(self, *, api_field: str, line_label: str, **kwargs):
        super().__init__(required=False, widget=LinesWidget(line_label=line_label), **kwargs)
        self.api_field = api_field

    def to_python(self, value) -> list[str]:
        values = value if isinstance(value, list | tuple) else [value or ""]
        return [line.strip() for text in values for line in str(text).splitlines() if line.strip()]

    def validate(self, value):
        try:
            ExerciseSerializer().fields[self.api_field].run_validation(value)
        except serializers.ValidationError as error:
            raise forms.ValidationError(error_messages(error.detail)) from error


def error_messages(detail) -> list[str]:
    """DRF's list errors as form errors: per line ({2: [...]}: "Line 3: ...") or for the list."""
    if isinstance(detail, dict):
        return [
            f"Line {position + 1}: {message}"
            for position, messages in detail.items()
            for message in messages
        ]
    return [str(message) for message in detail]


class ExerciseAdminForm(forms.ModelForm):
    steps = LinesField(
        api_field="steps",
        line_label="step",
        help_text="One instruction per line, in order. Counts and times belong in the dose.",
    )
    cues = LinesField(api_field="cues", line_label="cue")
    precautions = LinesField(api_field="precautions", line_label="precaution")
    progressable = forms.MultipleChoiceField(
        choices=Parameter.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Dose parameters a program's progression rules may change.",
    )

    class Meta:
        model = Exercise
        fields = ["steps", "cues", "precautions", "progressable"]  # the rest: the admin's fieldsets
