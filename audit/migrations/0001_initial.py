"""The audit trail moves here from `programs`: its table (programs_auditevent) stays as it is."""

from django.conf import settings
from django.db import migrations, models
import django.db.models.deletion
import django.utils.timezone


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("programs", "0008_audit_log_append_only_in_postgresql"),
        ("clients", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='AuditEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('at', models.DateTimeField(db_index=True, default=django.utils.timezone.now, editable=False)),
                        ('username', models.CharField(help_text='Kept should the user be deleted.', max_length=150)),
                        ('action', models.CharField(max_length=40)),
                        ('object_type', models.CharField(max_length=40)),
                        ('object_id', models.CharField(blank=True, max_length=40)),
                        ('ip', models.GenericIPAddressField(blank=True, null=True)),
                        ('request_id', models.CharField(blank=True, max_length=64)),
                        ('path', models.CharField(max_length=300)),
                        ('status_code', models.PositiveSmallIntegerField()),
                    ],
                    options={
                        'db_table': 'programs_auditevent',
                        'ordering': ['-at', '-id'],
                    },
                ),
                migrations.AddField(
                    model_name='auditevent',
                    name='client',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='clients.client'),
                ),
                migrations.AddField(
                    model_name='auditevent',
                    name='user',
                    field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AddIndex(
                    model_name='auditevent',
                    index=models.Index(fields=['client', 'at'], name='programs_au_client__3e32fc_idx'),
                ),
            ],
        ),
    ]
