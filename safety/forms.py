"""The admin's screening form: one present/absent answer per red flag of the condition."""

from django import forms
from django.core.exceptions import ValidationError

from clients.models import Screening
from exercises.models import RedFlag


def flag_field(flag: RedFlag) -> str:
    return f"flag_{flag.pk}"


class ScreeningAddForm(forms.ModelForm):
    """A new screening: one checkbox per red flag of every condition, labelled with both.

    A ticked box means the flag is present; an unticked one means absent. Only the chosen
    condition's flags are saved, so every one of them is answered; ticking a flag of another
    condition is refused rather than silently dropped.
    """

    class Meta:
        model = Screening
        fields = ["client", "condition", "notes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.flags = list(RedFlag.objects.select_related("condition"))
        for flag in self.flags:
            self.fields[flag_field(flag)] = forms.BooleanField(
                required=False,
                label=f"{flag.condition} — {flag.text}",
                help_text=flag.get_kind_display(),
            )

    @classmethod
    def flag_fieldsets(cls) -> list[tuple]:
        """One fieldset per condition, in the order the form adds the checkboxes."""
        fieldsets = {}
        for flag in RedFlag.objects.select_related("condition"):
            fieldsets.setdefault(flag.condition, []).append(flag_field(flag))
        return [
            (
                f"Red flags: {condition}",
                {
                    "fields": names,
                    "description": "Tick the flags that are present; leave the others unticked.",
                },
            )
            for condition, names in fieldsets.items()
        ]

    def clean(self):
        cleaned = super().clean()
        condition = cleaned.get("condition")
        if condition is not None:
            stray = [
                flag
                for flag in self.flags
                if flag.condition_id != condition.pk and cleaned.get(flag_field(flag))
            ]
            if stray:
                raise ValidationError(
                    "Ticked flags belong to another condition than %(condition)s: %(flags)s. "
                    "Untick them, or choose their condition.",
                    params={
                        "condition": condition,
                        "flags": "; ".join(str(flag) for flag in stray),
                    },
                )
        return cleaned

    def answers(self) -> list[dict]:
        """An answer for every flag of the chosen condition."""
        condition = self.cleaned_data["condition"]
        return [
            {"red_flag": flag, "present": bool(self.cleaned_data.get(flag_field(flag)))}
            for flag in self.flags
            if flag.condition_id == condition.pk
        ]
