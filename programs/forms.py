"""Admin forms for clients' screenings and programs.

Prescription rules come from programs/validation.py, so the admin and the API accept and refuse
the same programs.
"""

import nested_admin
from django import forms
from django.core.exceptions import ValidationError

from exercises.models import DOSE_FIELDS, RedFlag

from .models import Block, Client, Item, Program, ProgressionRule, Screening
from .validation import (
    MAX_ITEMS,
    TOO_MANY_ITEMS,
    block_errors,
    item_errors,
    rules_errors,
)

RULE_FIELDS = [
    field.name
    for field in ProgressionRule._meta.concrete_fields
    if not field.primary_key and field.name != "item"
]


def _add_errors(form, errors: dict) -> None:
    """Attach field errors once, skipping fields that already carry an error."""
    for field, message in errors.items():
        if field not in form.errors:
            form.add_error(field if field in form.fields else None, message)


class ProgramAdminForm(forms.ModelForm):
    """A program's own fields; blocks, items and rules are the nested inlines."""

    loaded_version = forms.IntegerField(
        required=False,
        widget=forms.HiddenInput,
        help_text="The version this page was opened at; a newer one means someone else saved.",
    )

    class Meta:
        model = Program
        fields = [
            "title",
            "client",
            "condition",
            "goal",
            "notes",
            "status",
            "start_date",
            "weeks",
            "sessions_per_week",
            "owner",
            "slug",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["loaded_version"].initial = self.instance.version

    def clean(self):
        """Judged on the program's row, locked until the page's save ends (the admin saves in one
        transaction), so two saves of one version cannot both pass."""
        cleaned = super().clean()
        stored = self.instance
        if stored.pk:
            stored = Program.objects.select_for_update().get(pk=stored.pk)
        loaded = cleaned.get("loaded_version")
        if stored.pk and loaded != stored.version:
            raise ValidationError(
                f"This program was saved elsewhere (now version {stored.version}) after you "
                f"opened it (version {loaded}). Reload the page and make your changes again."
            )
        status = cleaned.get("status")
        was_active = stored.pk and stored.status == Program.Status.ACTIVE
        if status == Program.Status.ACTIVE and not was_active:
            self.add_error(
                "status",
                'Use the "Activate" action: it checks the client\'s red-flag screening first.',
            )
        client = cleaned.get("client")
        if "client" in cleaned and stored.pk and stored.client_id != (client and client.pk):
            if stored.status != Program.Status.DRAFT:
                self.add_error("client", "Only a draft can move to another client.")
        owner = cleaned.get("owner")
        if "owner" in self.fields and client and owner and client.therapist_id != owner.pk:
            self.add_error("client", f"{client} is not a client of {owner}.")
        return cleaned


class ProgramPartFormSet(nested_admin.NestedInlineFormSet):
    """Rows of the program on the page, and only those, are changed, moved or deleted here.

    nested_admin looks a submitted row id up among every row of the model (so that a row can be
    dragged to another parent); here ids are looked up among the page's program's rows
    (`page_lookup` leads from a row to its program). Any other id, on a row kept or deleted, is
    an error of the whole formset, so nothing is saved.
    """

    page_lookup = ""

    def page_program_id(self) -> int | None:
        parent = self.instance
        if isinstance(parent, Item):
            parent = parent.block if parent.block_id else None
        if isinstance(parent, Block):
            return parent.program_id
        return parent.pk if isinstance(parent, Program) else None

    def page_rows(self):
        if not hasattr(self, "_page_rows"):
            program_id = self.page_program_id()
            rows = self.model._default_manager.filter(**{self.page_lookup: program_id})
            self._page_rows = rows if program_id is not None else rows.none()
        return self._page_rows

    def get_queryset(self):
        return super().get_queryset().filter(pk__in=self.page_rows())

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields[self._pk_field.name].queryset = self.page_rows()

    def clean(self):
        allowed = {str(pk) for pk in self.page_rows().values_list("pk", flat=True)}
        for index, form in enumerate(self.forms):
            submitted = form.data.get(form.add_prefix(self._pk_field.name)) or ""
            if (submitted or index < self.initial_form_count()) and submitted not in allowed:
                raise ValidationError(
                    "A row on this page is not part of this program (it may have been removed "
                    "meanwhile). Nothing was saved; reload the page and make your changes again."
                )
        super().clean()


class BlockFormSet(ProgramPartFormSet):
    page_lookup = "program"
    default_error_messages = {"too_many_forms": "A program holds at most %(num)d blocks."}

    def clean(self):
        super().clean()
        if self.kept_items() > MAX_ITEMS:
            raise ValidationError(TOO_MANY_ITEMS)

    def kept_items(self) -> int:
        """Item rows the page keeps or adds, over every block it keeps (nested_admin hangs each
        block form's item formset on the form)."""
        count = 0
        for block_form in self.forms:
            if block_form.is_valid() and self._should_delete_form(block_form):
                continue
            for formset in getattr(block_form, "nested_formsets", []):
                for index, form in enumerate(formset.forms):
                    deleted = form.is_valid() and formset._should_delete_form(form)
                    kept = index < formset.initial_form_count() or form.has_changed()
                    count += kept and not deleted
        return count


class BlockAdminForm(forms.ModelForm):
    class Meta:
        model = Block
        fields = [
            "title",
            "kind",
            "rounds_min",
            "rounds_max",
            "rest_between_rounds_seconds",
            "notes",
            "position",
        ]

    def clean(self):
        cleaned = super().clean()
        for field, message in block_errors(cleaned).items():
            self.add_error(field, message)
        return cleaned


class ItemAdminForm(forms.ModelForm):
    """An item; with every dose field left empty it starts from the exercise's default dose."""

    class Meta:
        model = Item
        fields = ["exercise", "side", "position", *DOSE_FIELDS, "notes"]

    def clean(self):
        cleaned = super().clean()
        exercise = cleaned.get("exercise")
        dose_given = any(cleaned.get(name) is not None for name in DOSE_FIELDS)
        dose_invalid = any(name in self.errors for name in DOSE_FIELDS)
        if exercise is not None and not dose_given and not dose_invalid:
            for name in DOSE_FIELDS:
                cleaned[name] = getattr(exercise, name)
        return cleaned


class ItemFormSet(ProgramPartFormSet):
    """Each item's side must fit its exercise and its ranges must be ordered (item_errors)."""

    page_lookup = "block__program"
    default_error_messages = {"too_many_forms": "A block holds at most %(num)d exercises."}

    def clean(self):
        super().clean()
        for form in self.forms:
            cleaned = getattr(form, "cleaned_data", None)
            if not cleaned or self._should_delete_form(form):
                continue
            exercise = cleaned.get("exercise")
            if exercise is not None:
                kept = form.initial.get("exercise") if form.instance.pk else None
                _add_errors(form, item_errors(exercise, cleaned, kept))


class ProgressionRuleFormSet(ProgramPartFormSet):
    """An item's rules may only change what its exercise supports (rules_errors)."""

    page_lookup = "item__block__program"
    default_error_messages = {"too_many_forms": "An exercise takes at most %(num)d rules."}

    def clean(self):
        super().clean()
        item_form = getattr(self, "parent_form", None)
        forms_ = [
            form
            for form in self.forms
            if getattr(form, "cleaned_data", None)
            and not self._should_delete_form(form)
            and not form.errors
        ]
        if item_form is None or not forms_:
            return
        item = getattr(item_form, "cleaned_data", None) or {}
        if item.get("DELETE"):
            return
        exercise = item.get("exercise")
        if exercise is None:
            if "exercise" not in item_form.errors:
                raise ValidationError("Choose the item's exercise before adding its rules.")
            return
        rules = [{name: form.cleaned_data.get(name) for name in RULE_FIELDS} for form in forms_]
        for form, errors in zip(forms_, rules_errors(exercise, item, rules), strict=False):
            _add_errors(form, errors)


class CopyToClientForm(forms.Form):
    client = forms.ModelChoiceField(
        queryset=Client.objects.none(),
        required=False,
        empty_label="No client: keep the copy as a template of mine",
        help_text="The copy is a new draft; the original stays as it is.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = Client.objects.of(user).filter(is_archived=False)


class ActivateWithOverrideForm(forms.Form):
    override_reason = forms.CharField(
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        help_text="Why the program may start without a clear screening from the last 30 days, "
        "e.g. medical clearance by whom and when. It is stored with your name.",
    )

    def clean_override_reason(self):
        reason = self.cleaned_data["override_reason"].strip()
        if not reason:
            raise ValidationError("Give the reason.")
        return reason


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
                help_text="Emergency: needs care today." if flag.is_emergency else "",
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
