from django.apps import AppConfig


class PtbuilderConfig(AppConfig):
    name = "ptbuilder"

    def ready(self):
        from . import checks  # noqa: F401 - registers the project's system checks
