from django import forms


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
