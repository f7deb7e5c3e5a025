"""Red flags get a kind: emergency, stop (and contact the therapist or a doctor) or history
(screening only). Emergencies stay emergencies; the others become "stop" until seed_library
classifies them from the fixtures."""

from django.db import migrations, models




def kinds_from_emergencies(apps, schema_editor):
    red_flag = apps.get_model("exercises", "RedFlag")
    red_flag.objects.filter(is_emergency=True).update(kind="emergency")


def emergencies_from_kinds(apps, schema_editor):
    red_flag = apps.get_model("exercises", "RedFlag")
    red_flag.objects.filter(kind="emergency").update(is_emergency=True)


class Migration(migrations.Migration):

    dependencies = [
        ('exercises', '0002_therapists_group'),
    ]

    operations = [
        migrations.AddField(
            model_name='redflag',
            name='kind',
            field=models.CharField(choices=[('emergency', 'Emergency: call emergency services now'), ('stop', 'Stop and contact the therapist or a doctor before going on'), ('history', 'History asked at screening, never printed for the client')], default='stop', max_length=10),
        ),
        migrations.AddField(
            model_name='redflag',
            name='kind_note',
            field=models.TextField(blank=True, help_text='Why the flag is of its kind (a clinical addition to the source).'),
        ),
        migrations.AlterField(
            model_name='redflag',
            name='client_text',
            field=models.CharField(help_text='The sign in the client\'s words, completing "... if" (e.g. "you lose control of your bowel or bladder").', max_length=250),
        ),
        migrations.RunPython(kinds_from_emergencies, emergencies_from_kinds),
        migrations.RemoveField(
            model_name='redflag',
            name='is_emergency',
        ),
    ]
