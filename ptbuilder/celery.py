"""The task queue (settings: CELERY_*): work a request need not wait for, such as rendering the
PDF of a changed program ahead of its client's download."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ptbuilder.settings")

app = Celery("ptbuilder")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
