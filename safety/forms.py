"""The admin's screening form: one present/absent answer per red flag of the condition."""

from django import forms
from django.core.exceptions import ValidationError

from clients.models import Screening
from exercises.models import RedFlag

PRESENT, ABSENT = "present", "absent"
ANSWERS = [(PRESENT, "Present"), (ABSENT, "Absent")]


def flag_field(flag: RedFlag) -> str:
    return f"flag_{flag.pk}"


class ScreeningAddForm(forms.ModelForm):
    """A new screening: a present / absent choice per red flag of every condition, labelled
    with both.

    Nothing is preselected, so a flag never reads as absent because nobody asked: every flag
    of the chosen condition must be answered, and each one left open is refused by name. Only
    the chosen condition's answers are saved; a flag of another condition answered present is
    refused rather than silently dropped (a radio cannot be unticked, so "absent" there is
    harmless and left out).

    A client or condition preselected by the link on the client's page is kept only when it is
    one the field offers: another therapist's client id in the URL is ignored, never shown.
    """

    class Meta:
        model = Screening
        fields = ["client", "condition", "notes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ["client", "condition"]:
            if name in self.initial and not self.offers(name, self.initial[name]):
                del self.initial[name]
        self.flags = list(RedFlag.objects.select_related("condition"))
        for flag in self.flags:
            self.fields[flag_field(flag)] = forms.ChoiceField(
                choices=ANSWERS,
                required=False,
                widget=forms.RadioSelect(attrs={"class": "radiolist inline"}),
                label=f"{flag.condition} — {flag.text}",
                help_text=flag.get_kind_display(),
            )

    def offers(self, name: str, value) -> bool:
        try:
            self.fields[name].clean(value)
        except ValidationError:
            return False
        return True

    @classmethod
    def flag_fieldsets(cls) -> list[tuple]:
        """One fieldset per condition, in the order the form adds the answers."""
        fieldsets = {}
        for flag in RedFlag.objects.select_related("condition"):
            fieldsets.setdefault(flag.condition, []).append(flag_field(flag))
        return [
            (
                f"Red flags: {condition}",
                {
                    "fields": names,
                    "description": "Answer every flag of the condition screened for: present "
                    "or absent. Nothing is preselected.",
                },
            )
            for condition, names in fieldsets.items()
        ]

    def clean(self):
        cleaned = super().clean()
        condition = cleaned.get("condition")
        if condition is None:
            return cleaned
        for flag in self.flags:
            if flag.condition_id == condition.pk and not cleaned.get(flag_field(flag)):
                self.add_error(
                    flag_field(flag), f"Not answered: is “{flag.text}” present or absent?"
                )
        stray = [
            flag
            for flag in self.flags
            if flag.condition_id != condition.pk and cleaned.get(flag_field(flag)) == PRESENT
        ]
        if stray:
            raise ValidationError(
                "Flags answered present belong to another condition than %(condition)s: "
                "%(flags)s. Answer them absent, or choose their condition.",
                params={"condition": condition, "flags": "; ".join(str(flag) for flag in stray)},
            )
        return cleaned

    def answers(self) -> list[dict]:
        """An answer for every flag of the chosen condition."""
        condition = self.cleaned_data["condition"]
        return [
            {"red_flag": flag, "present": self.cleaned_data[flag_field(flag)] == PRESENT}
            for flag in self.flags
            if flag.condition_id == condition.pk
        ]
