"""Sessions and their exercise logs move here from `programs`: their tables stay as they are."""

from django.db import migrations, models
import django.core.validators
import django.db.models.deletion


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("programs", "0008_audit_log_append_only_in_postgresql"),
        ("clients", "0001_initial"),
        ("exercises", "0002_therapists_group"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Session',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('client_uuid', models.UUIDField()),
                        ('performed_at', models.DateTimeField()),
                        ('pain_before', models.PositiveSmallIntegerField(blank=True, null=True, validators=[django.core.validators.MaxValueValidator(10)])),
                        ('pain_after', models.PositiveSmallIntegerField(blank=True, null=True, validators=[django.core.validators.MaxValueValidator(10)])),
                        ('notes', models.TextField(blank=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('client', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='sessions', to='clients.client')),
                        ('program', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='sessions', to='programs.program')),
                    ],
                    options={
                        'db_table': 'programs_session',
                        'ordering': ['-performed_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='ExerciseLog',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('side', models.CharField(choices=[('both', 'Both sides'), ('left', 'Left'), ('right', 'Right')], default='both', max_length=5)),
                        ('sets', models.PositiveSmallIntegerField(blank=True, null=True, validators=[django.core.validators.MaxValueValidator(20)])),
                        ('reps', models.PositiveSmallIntegerField(blank=True, null=True, validators=[django.core.validators.MaxValueValidator(200)])),
                        ('seconds', models.PositiveIntegerField(blank=True, null=True, validators=[django.core.validators.MaxValueValidator(3600)])),
                        ('load_kg', models.DecimalField(blank=True, decimal_places=2, max_digits=5, null=True, validators=[django.core.validators.MinValueValidator(0), django.core.validators.MaxValueValidator(500)])),
                        ('step_height_cm', models.PositiveSmallIntegerField(blank=True, null=True, validators=[django.core.validators.MaxValueValidator(100)])),
                        ('pain', models.PositiveSmallIntegerField(blank=True, null=True, validators=[django.core.validators.MaxValueValidator(10)])),
                        ('difficulty', models.PositiveSmallIntegerField(blank=True, null=True, validators=[django.core.validators.MaxValueValidator(10)])),
                        ('notes', models.TextField(blank=True)),
                        ('exercise', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='exercises.exercise')),
                        ('item', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='logs', to='programs.item')),
                        ('session', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='entries', to='logbook.session')),
                    ],
                    options={
                        'db_table': 'programs_exerciselog',
                        'ordering': ['id'],
                    },
                ),
                migrations.AddIndex(
                    model_name='session',
                    index=models.Index(fields=['program', 'performed_at'], name='programs_se_program_437827_idx'),
                ),
                migrations.AddConstraint(
                    model_name='session',
                    constraint=models.UniqueConstraint(fields=('client', 'client_uuid'), name='one_upload_per_uuid'),
                ),
                migrations.AddIndex(
                    model_name='exerciselog',
                    index=models.Index(fields=['item', 'side', 'reps', 'seconds', 'pain'], name='log_sides_covering'),
                ),
            ],
        ),
    ]
