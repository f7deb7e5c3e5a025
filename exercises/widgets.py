from django import forms
from django.contrib.admin.widgets import AutocompleteSelect


class LinesWidget(forms.Widget):
    """An ordered list of lines (an exercise's steps, cues or precautions): one text input per
    line, all posted under the field's name, so their order on the page is the order saved.
    lines.js adds, removes and moves lines; without it the lines can still be edited."""

    template_name = "exercises/widgets/lines.html"

    class Media:
        css = {"all": ["exercises/lines.css"]}
        js = ["exercises/lines.js"]

    def __init__(self, *, line_label: str, attrs=None):
        super().__init__(attrs)
        self.line_label = line_label

    def format_value(self, value) -> list[str]:
        if not value:
            return []
        return value.splitlines() if isinstance(value, str) else [str(line) for line in value]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["line_label"] = self.line_label
        return context

    def value_from_datadict(self, data, files, name):
        return data.getlist(name) if hasattr(data, "getlist") else data.get(name)

    def value_omitted_from_data(self, data, files, name):
        """Removing every line posts nothing, which means "no lines", not "keep the old ones"."""
        return False


class ChosenAutocompleteSelect(AutocompleteSelect):
    """The exercise picker of a saved item: it shows the item's own exercise (`chosen`, set by
    the form from the row already read) instead of reading it again, one query per row. Any
    other value, such as a posted change, is looked up as usual."""

    chosen = None

    def optgroups(self, name, value, attr=None):
        chosen = self.chosen
        if chosen is None or [str(v) for v in value if v] != [str(chosen.pk)]:
            return super().optgroups(name, value, attr)
        options = [] if self.is_required else [self.create_option(name, "", "", False, 0)]
        label = self.choices.field.label_from_instance(chosen)
        options.append(self.create_option(name, chosen.pk, label, {str(chosen.pk)}, len(options)))
        return [(None, options, 0)]
