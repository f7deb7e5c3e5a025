from django.http import HttpResponse
from django.urls import path

from ptbuilder.urls import urlpatterns as project_urlpatterns

FLOOR_BODIES: dict[str, tuple[bytes, str]] = {}


def floor(request, name):
    """The floor: the same bytes as the endpoint, returned with no work at all."""
    body, content_type = FLOOR_BODIES[name]
    return HttpResponse(body, content_type=content_type)


urlpatterns = [path("bench/floor/<str:name>/", floor), *project_urlpatterns]
