from django.contrib import admin, messages
from django.utils import timezone

from progression.engine import Dose
from progression.text import format_dose

from .forms import ExerciseAdminForm
from .models import BodyRegion, Category, Condition, Equipment, Exercise, RedFlag, Source, Tissue

LATERALITY_SIDES = {"bilateral": "both", "each_side": "each", "alternating": "alternating"}
admin.site.site_header = "ptbuilder"
admin.site.site_title = "ptbuilder"
admin.site.index_title = "Home-exercise programs"


class ArchivedFilter(admin.SimpleListFilter):
    """Archived exercises stay out of the way unless asked for."""

    title = "status"
    parameter_name = "archived"
    default = "no"

    def lookups(self, request, model_admin):
        return [("no", "Active"), ("yes", "Archived"), ("all", "All")]

    def queryset(self, request, queryset):
        value = self.value() or self.default
        if value == "all":
            return queryset
        return queryset.filter(is_archived=value == "yes")

    def choices(self, changelist):
        selected = self.value() or self.default
        for lookup, title in self.lookup_choices:
            yield {
                "selected": selected == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }


DOSE_LAYOUT = [
    "sets",
    ("reps_min", "reps_max"),
    ("hold_seconds_min", "hold_seconds_max"),
    ("duration_seconds_min", "duration_seconds_max"),
    "rest_seconds",
    "load_kg",
    "step_height_cm",
]
"""A dose's fields on an admin page, each range on one line (exercises and program items)."""


class OwnerFilter(admin.SimpleListFilter):
    title = "owner"
    parameter_name = "owner"

    def lookups(self, request, model_admin):
        return [("shared", "Shared library"), ("mine", "My exercises")]

    def queryset(self, request, queryset):
        if self.value() == "shared":
            return queryset.filter(owner__isnull=True)
        if self.value() == "mine":
            return queryset.filter(owner=request.user)
        return queryset


@admin.register(Exercise)
class ExerciseAdmin(admin.ModelAdmin):
    """Therapists see the shared library and their own exercises; they change only their own."""

    form = ExerciseAdminForm
    list_display = ["name", "category", "laterality", "dose", "library", "is_archived"]
    list_display_links = ["name"]
    list_filter = [
        ArchivedFilter,
        OwnerFilter,
        "category",
        "equipment",
        "body_regions",
        "laterality",
        "conditions",
    ]
    list_select_related = ["category", "owner"]
    search_fields = ["name", "summary", "steps", "target_tissues__name"]
    filter_horizontal = ["equipment", "body_regions", "target_tissues", "conditions"]
    actions = ["archive", "restore"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "summary", "category", "laterality", "dosing"]}),
        ("Instructions", {"fields": ["steps", "cues", "precautions", "image", "video_url"]}),
        (
            "Default dose",
            {
                "description": "A range with only a minimum is a single value. "
                "Empty load means bodyweight.",
                "fields": [*DOSE_LAYOUT, "progressable"],
            },
        ),
        (
            "Targets",
            {"fields": ["equipment", "body_regions", "target_tissues", "conditions"]},
        ),
        ("Source and ownership", {"fields": ["source", "source_note", "owner", "is_archived"]}),
    ]

    @admin.display(description="default dose")
    def dose(self, exercise):
        side = LATERALITY_SIDES[exercise.laterality]
        return format_dose(Dose.of(exercise), dosing=exercise.dosing, side=side) or "–"

    @admin.display(description="library", ordering="owner")
    def library(self, exercise):
        return "Shared" if exercise.is_shared else exercise.owner.get_username()

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def get_search_results(self, request, queryset, search_term):
        """The exercise picker of program items offers only exercises still in use."""
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if request.resolver_match and request.resolver_match.url_name == "autocomplete":
            queryset = queryset.active()
        return queryset, may_have_duplicates

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return ["slug"] if obj and not obj.is_shared else []
        return ["slug", "source", "owner"]

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        if obj is None or request.user.is_superuser:
            return allowed
        return allowed and obj.owner_id == request.user.id

    def save_model(self, request, obj, form, change):
        if not change and not request.user.is_superuser:
            obj.owner = request.user
        super().save_model(request, obj, form, change)

    def _set_archived(self, request, queryset, archived: bool):
        own = queryset if request.user.is_superuser else queryset.filter(owner=request.user)
        changed = own.exclude(is_archived=archived).update(
            is_archived=archived, updated_at=timezone.now()
        )
        skipped = queryset.count() - own.count()
        self.message_user(request, f"{changed} exercise(s) updated.")
        if skipped:
            self.message_user(
                request, f"{skipped} shared exercise(s) left unchanged.", messages.WARNING
            )

    @admin.action(description="Archive selected exercises", permissions=["change"])
    def archive(self, request, queryset):
        self._set_archived(request, queryset, True)

    @admin.action(description="Restore selected exercises", permissions=["change"])
    def restore(self, request, queryset):
        self._set_archived(request, queryset, False)


class RedFlagInline(admin.TabularInline):
    model = RedFlag
    extra = 0
    fields = ["position", "slug", "text", "client_text", "kind", "kind_note"]


@admin.register(Condition)
class ConditionAdmin(admin.ModelAdmin):
    list_display = ["name", "source"]
    search_fields = ["name"]
    inlines = [RedFlagInline]


@admin.register(Category, Equipment, BodyRegion, Tissue)
class TermAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["title", "published", "author"]
    search_fields = ["title", "author"]
