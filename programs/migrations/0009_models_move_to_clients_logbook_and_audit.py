"""The models that moved to `clients`, `logbook` and `audit` leave this app's state; their
tables, rows and permissions stay. Their content types are renamed, so permissions (the
Therapists group's among them) and admin history follow the models."""

from django.db import migrations, models
import django.db.models.deletion

MOVED = {
    "client": "clients",
    "screening": "clients",
    "screeninganswer": "clients",
    "invitation": "clients",
    "session": "logbook",
    "exerciselog": "logbook",
    "auditevent": "audit",
}


def move_content_types(apps, schema_editor, *, back=False):
    content_type = apps.get_model("contenttypes", "ContentType")
    for model, app_label in MOVED.items():
        old, new = ("programs", app_label) if not back else (app_label, "programs")
        if not content_type.objects.filter(app_label=new, model=model).exists():
            content_type.objects.filter(app_label=old, model=model).update(app_label=new)
    content_type.objects.clear_cache()


def move_back(apps, schema_editor):
    move_content_types(apps, schema_editor, back=True)


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0008_audit_log_append_only_in_postgresql"),
        ("clients", "0001_initial"),
        ("logbook", "0001_initial"),
        ("audit", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='client',
                    name='therapist',
                ),
                migrations.RemoveField(
                    model_name='client',
                    name='user',
                ),
                migrations.RemoveField(
                    model_name='screening',
                    name='client',
                ),
                migrations.RemoveField(
                    model_name='invitation',
                    name='client',
                ),
                migrations.AlterField(
                    model_name='program',
                    name='client',
                    field=models.ForeignKey(blank=True, help_text='Empty for a template.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='programs', to='clients.client'),
                ),
                migrations.RemoveField(
                    model_name='session',
                    name='client',
                ),
                migrations.RemoveField(
                    model_name='exerciselog',
                    name='exercise',
                ),
                migrations.RemoveField(
                    model_name='exerciselog',
                    name='item',
                ),
                migrations.RemoveField(
                    model_name='exerciselog',
                    name='session',
                ),
                migrations.RemoveField(
                    model_name='invitation',
                    name='created_by',
                ),
                migrations.RemoveField(
                    model_name='screening',
                    name='condition',
                ),
                migrations.RemoveField(
                    model_name='screening',
                    name='performed_by',
                ),
                migrations.RemoveField(
                    model_name='screeninganswer',
                    name='screening',
                ),
                migrations.RemoveField(
                    model_name='screeninganswer',
                    name='red_flag',
                ),
                migrations.RemoveField(
                    model_name='session',
                    name='program',
                ),
                migrations.DeleteModel(
                    name='AuditEvent',
                ),
                migrations.DeleteModel(
                    name='Client',
                ),
                migrations.DeleteModel(
                    name='ExerciseLog',
                ),
                migrations.DeleteModel(
                    name='Invitation',
                ),
                migrations.DeleteModel(
                    name='Screening',
                ),
                migrations.DeleteModel(
                    name='ScreeningAnswer',
                ),
                migrations.DeleteModel(
                    name='Session',
                ),
            ],
        ),
        migrations.RunPython(move_content_types, move_back),
    ]
