from rest_framework import serializers


class ScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A related object chosen by id among those `scope(context)` offers the caller.

    Anything else is "does not exist", so ids of other people's objects reveal nothing.
    """

    def __init__(self, scope, **kwargs):
        self.scope = scope
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.scope(self.context)
