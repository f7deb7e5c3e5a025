from django.db import models


class Generation(models.Model):
    """The current generation of one scope of cached renderings (see caching.py)."""

    scope = models.CharField(max_length=100, unique=True)
    token = models.CharField(max_length=32)

    def __str__(self):
        return f"{self.scope}: {self.token}"
