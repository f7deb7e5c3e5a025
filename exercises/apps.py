from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save


class ExercisesConfig(AppConfig):
    name = "exercises"
    verbose_name = "Exercise library"

    def ready(self):
        """Any change to the library renews every cached rendering that shows it."""
        for model in self.get_models():
            for signal in (post_save, post_delete):
                signal.connect(library_changed, sender=model, dispatch_uid=f"library-{model}")
            for field in model._meta.local_many_to_many:
                m2m_changed.connect(
                    library_changed,
                    sender=field.remote_field.through,
                    dispatch_uid=f"library-{model}-{field.name}",
                )


def library_changed(sender, **kwargs) -> None:
    from ptbuilder.generations import LIBRARY, invalidate  # models are loaded by now

    invalidate(LIBRARY)
