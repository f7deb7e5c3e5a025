"""Admin forms for programs, their blocks, items and progression rules.

Prescription rules come from programs/validation.py, so the admin and the API accept and refuse
the same programs.
"""

from decimal import Decimal

import nested_admin
from django import forms
from django.core.exceptions import ValidationError

from clients.models import Client
from exercises.models import DOSE_FIELDS, MAX_LOAD_KG, MAX_STEP_HEIGHT_CM
from progression import engine
from progression.text import CM_PER_INCH, POUNDS_PER_KG
from ptbuilder.domain_errors import Invalid, Stale

from . import services
from .models import Block, Item, Program, ProgressionRule
from .validation import (
    MAX_ITEMS,
    TOO_MANY_ITEMS,
    block_errors,
    default_side,
    item_errors,
    rules_errors,
)

FROM_THE_EXERCISE = ("", "From the exercise")

RULE_FIELDS = [
    field.name
    for field in ProgressionRule._meta.concrete_fields
    if not field.primary_key and field.name != "item"
]


NUMBER = forms.NumberInput(attrs={"class": "number"})
SHORT_TEXT = forms.Textarea(attrs={"rows": 2, "cols": 60})
"""Compact widgets: the program page shows a whole program in a few screens."""


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
        widgets = {"goal": SHORT_TEXT, "notes": SHORT_TEXT, "rationale": SHORT_TEXT}
        fields = [
            "title",
            "client",
            "condition",
            "goal",
            "notes",
            "rationale",
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

    def changes(self) -> dict:
        """The program's own fields this page sets (all of them on the add page), as the
        services take them."""
        names = self.changed_data if self.instance.pk else self.cleaned_data
        return {name: self.cleaned_data[name] for name in names if name in self.Meta.fields}

    def clean(self):
        """Judged by the update service's own rules on the program's row, locked until the
        page's save ends (the admin saves in one transaction), so two saves of one version
        cannot both pass; the save itself goes through the same service (ProgramAdmin)."""
        cleaned = super().clean()
        current = Program(status=Program.Status.DRAFT)
        try:
            if self.instance.pk:
                version = cleaned.get("loaded_version")
                current = services.lock_current(self.instance, version=version)
            services.check_state_change(current, self.changes())
        except Stale as error:
            raise ValidationError(error.message) from error
        except Invalid as error:
            _add_errors(self, error.errors)
        client = cleaned.get("client")
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
        """Kept once made: Django reads a formset's rows from this for every form, and a fresh
        queryset would query again each time. On the page as it opens, a saved block's items
        and an item's rules were read with the page's blocks (BlockInline.get_queryset), so they
        cost no query here; a post is read as nested_admin reads it, rows moved included."""
        if not hasattr(self, "_page_queryset"):
            if not self.is_bound and isinstance(self.instance, Block | Item) and self.instance.pk:
                rows = getattr(self.instance, self.fk.remote_field.get_accessor_name())
                self._page_queryset = rows.all()
            else:
                self._page_queryset = super().get_queryset().filter(pk__in=self.page_rows())
        return self._page_queryset

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
        widgets = {
            "rounds_min": NUMBER,
            "rounds_max": NUMBER,
            "rest_between_rounds_seconds": NUMBER,
            "notes": SHORT_TEXT,
        }
        labels = {"rest_between_rounds_seconds": "Rest between rounds (s)"}
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
        fields = ["exercise", "side", "position", *DOSE_FIELDS, "notes", "needs_review"]
        labels = {
            "needs_review": "Review",
            "sets": "Sets",
            "reps_min": "Reps",
            "reps_max": "to",
            "hold_seconds_min": "Hold s",
            "hold_seconds_max": "to",
            "duration_seconds_min": "Time s",
            "duration_seconds_max": "to",
            "rest_seconds": "Rest s",
            "load_kg": "Load kg",
            "step_height_cm": "Step cm",
        }
        widgets = {
            **{name: NUMBER for name in DOSE_FIELDS},
            "notes": forms.Textarea(attrs={"rows": 1, "cols": 24}),
        }

    def __init__(self, *args, units: str = "metric", **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.exercise_id:
            picker = self.fields["exercise"].widget
            getattr(picker, "widget", picker).chosen = self.instance.exercise
        side = self.fields["side"]
        side.required = False
        side.choices = [FROM_THE_EXERCISE, *Item.Side.choices]
        if not self.instance.pk:
            side.initial = ""
        self.imperial = units == "imperial"
        if self.imperial:
            self._in_imperial_units()

    def _in_imperial_units(self):
        """Load in pounds and step height in inches, as the client reads them; stored exactly
        in kilograms and centimetres (converted back in clean_load_kg and
        clean_step_height_cm)."""
        self.fields["load_kg"] = forms.DecimalField(
            label="Load lb",
            required=False,
            min_value=0,
            max_value=MAX_LOAD_KG * POUNDS_PER_KG,
            decimal_places=1,
            widget=NUMBER,
        )
        self.fields["step_height_cm"] = forms.IntegerField(
            label="Step in",
            required=False,
            min_value=0,
            max_value=int(MAX_STEP_HEIGHT_CM / CM_PER_INCH),
            widget=NUMBER,
        )
        kg, cm = self.instance.load_kg, self.instance.step_height_cm
        if self.instance.pk and kg is not None:
            self.initial["load_kg"] = (Decimal(kg) * POUNDS_PER_KG).quantize(Decimal("0.1"))
        if self.instance.pk and cm is not None:
            self.initial["step_height_cm"] = round(Decimal(cm) / CM_PER_INCH)

    def clean_load_kg(self):
        value = self.cleaned_data["load_kg"]
        if self.imperial and value is not None:
            return (value / POUNDS_PER_KG).quantize(Decimal("0.01"))
        return value

    def clean_step_height_cm(self):
        value = self.cleaned_data["step_height_cm"]
        if self.imperial and value is not None:
            return round(value * CM_PER_INCH)
        return value

    def clean(self):
        cleaned = super().clean()
        exercise = cleaned.get("exercise")
        if exercise is not None and not cleaned.get("side"):
            cleaned["side"] = default_side(exercise)
        dose_given = any(cleaned.get(name) is not None for name in DOSE_FIELDS)
        dose_invalid = any(name in self.errors for name in DOSE_FIELDS)
        if exercise is not None and not dose_given and not dose_invalid:
            for name in DOSE_FIELDS:
                cleaned[name] = getattr(exercise, name)
        return cleaned


class ItemFormSet(ProgramPartFormSet):
    """Each item's side must fit its exercise and its ranges must be ordered (item_errors).
    Doses are in the program's client's units (`units`, set by the page's admin)."""

    page_lookup = "block__program"
    default_error_messages = {"too_many_forms": "A block holds at most %(num)d exercises."}
    units = "metric"

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "units": self.units}

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


class ProgressionRuleAdminForm(forms.ModelForm):
    class Meta:
        model = ProgressionRule
        fields = RULE_FIELDS
        labels = {
            "parameter": "Changes",
            "mode": "How",
            "amount": "By",
            "every_weeks": "Every (weeks)",
            "start_week": "From week",
            "cap": "Up to",
            "trigger": "When",
            "pain_threshold": "Pain at most",
            "regress_above": "Back above pain",
        }
        widgets = {
            name: NUMBER
            for name in [
                "amount",
                "every_weeks",
                "start_week",
                "cap",
                "pain_threshold",
                "regress_above",
            ]
        }


class ProgressionRuleFormSet(ProgramPartFormSet):
    """An item's rules may only change what its exercise supports (rules_errors); a saved
    item's rules offer only those parameters (new items: programs/program_page.js)."""

    page_lookup = "item__block__program"
    default_error_messages = {"too_many_forms": "An exercise takes at most %(num)d rules."}

    def add_fields(self, form, index):
        super().add_fields(form, index)
        exercise = self.instance.exercise if self.instance.exercise_id else None
        if exercise is not None and not self.is_bound:  # a post is judged by rules_errors
            parameter = form.fields["parameter"]
            parameter.choices = [
                choice for choice in parameter.choices if choice[0] in exercise.progressable
            ]

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


def posted_items(block_formsets) -> tuple[list[tuple[str, engine.Dose, list[engine.Rule]]], int]:
    """The items a posted program page holds, as the engine takes them (exercise name, week-1
    dose, rules), in page order, without saving anything; and how many item rows were left out
    because they are invalid. This is what the live schedule preview shows."""
    items, invalid = [], 0
    for block_form in _kept(block_formsets):
        for item_form in _kept(getattr(block_form, "nested_formsets", [])):
            rule_forms = list(_kept(getattr(item_form, "nested_formsets", [])))
            valid = item_form.is_valid() and all(form.is_valid() for form in rule_forms)
            exercise = item_form.cleaned_data.get("exercise") if valid else None
            try:
                if exercise is None:
                    raise ValueError("an invalid row")
                dose = engine.Dose(**{name: item_form.cleaned_data[name] for name in ENGINE_DOSE})
                rules = [
                    engine.Rule(**{name: form.cleaned_data[name] for name in RULE_FIELDS})
                    for form in rule_forms
                ]
            except ValueError:
                invalid += 1
                continue
            items.append((exercise.name, dose, rules))
    return items, invalid


ENGINE_DOSE = list(engine.Dose.__dataclass_fields__)


def _kept(formsets):
    """The rows the page keeps, over the given formsets: neither deleted nor an untouched blank
    row. Each formset is validated first, so that its rows carry their errors."""
    for formset in formsets:
        formset.is_valid()
        for index, form in enumerate(formset.forms):
            if index >= formset.initial_form_count() and not form.has_changed():
                continue
            if form.is_valid() and formset._should_delete_form(form):
                continue
            yield form
