"""Clients, screenings and invitations move here from `programs`: their tables stay as they are."""

from django.conf import settings
from django.db import migrations, models
import django.db.models.deletion
import django.utils.timezone


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("programs", "0008_audit_log_append_only_in_postgresql"),
        ("exercises", "0002_therapists_group"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Client',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('first_name', models.CharField(max_length=80)),
                        ('last_name', models.CharField(max_length=80)),
                        ('email', models.EmailField(blank=True, max_length=254)),
                        ('units', models.CharField(choices=[('metric', 'Metric (kg, cm)'), ('imperial', 'Imperial (lb, in)')], default='metric', max_length=8)),
                        ('notes', models.TextField(blank=True, help_text='Private to the therapist.')),
                        ('is_archived', models.BooleanField(default=False)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('therapist', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='clients', to=settings.AUTH_USER_MODEL)),
                        ('user', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='client_profile', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'programs_client',
                        'ordering': ['last_name', 'first_name', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='Invitation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code_hash', models.CharField(max_length=64, unique=True)),
                        ('expires_at', models.DateTimeField()),
                        ('created_at', models.DateTimeField()),
                        ('used_at', models.DateTimeField(blank=True, null=True)),
                        ('client', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='invitation', to='clients.client')),
                        ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'programs_invitation',
                    },
                ),
                migrations.CreateModel(
                    name='Screening',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('performed_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('notes', models.TextField(blank=True)),
                        ('client', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='screenings', to='clients.client')),
                        ('condition', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, to='exercises.condition')),
                        ('performed_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'programs_screening',
                        'ordering': ['-performed_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='ScreeningAnswer',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('present', models.BooleanField()),
                        ('red_flag', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, to='exercises.redflag')),
                        ('screening', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='answers', to='clients.screening')),
                    ],
                    options={
                        'db_table': 'programs_screeninganswer',
                        'ordering': ['red_flag__position'],
                        'constraints': [models.UniqueConstraint(fields=('screening', 'red_flag'), name='one_answer_per_flag')],
                    },
                ),
            ],
        ),
    ]
