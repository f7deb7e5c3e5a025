from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter, SimpleRouter

from accounts.views import LogoutView, TokenView
from client_app.redeem import RedeemView
from client_app.views import MeView, MyProgramViewSet, MySessionViewSet, MySymptomsView
from clients.views import ClientViewSet
from exercises.views import ConditionViewSet, ExerciseViewSet
from logbook.views import AdherenceView
from programs.views import ProgramViewSet
from safety.views import AttentionViewSet, ScreeningsView

RESOURCES = [
    ("exercises", ExerciseViewSet, "exercise"),
    ("conditions", ConditionViewSet, "condition"),
    ("clients", ClientViewSet, "client"),
    ("programs", ProgramViewSet, "program"),
    ("me/programs", MyProgramViewSet, "my-program"),
    ("me/sessions", MySessionViewSet, "my-session"),
    ("attention", AttentionViewSet, "attention"),
]


def routes(viewset, basename) -> list:
    """One resource's routes, included under its prefix: resolving a URL then tries the routes
    of its own resource only, not every route of the API."""
    router = SimpleRouter()
    router.register("", viewset, basename=basename)
    return router.urls


index = DefaultRouter()  # only for its root view, which lists the resources
for prefix, viewset, basename in RESOURCES:
    index.register(prefix, viewset, basename=basename)

api_v1 = [
    path("", index.get_api_root_view(), name="api-root"),
    path("auth/token/", TokenView.as_view(), name="auth-token"),
    path("auth/logout/", LogoutView.as_view(), name="auth-logout"),
    path("auth/redeem/", RedeemView.as_view(), name="auth-redeem"),
    path("me/", MeView.as_view(), name="me"),
    path("me/symptoms/", MySymptomsView.as_view(), name="my-symptoms"),
    path("clients/<str:pk>/adherence/", AdherenceView.as_view(), name="client-adherence"),
    path("clients/<str:pk>/screenings/", ScreeningsView.as_view(), name="client-screenings"),
    *(
        path(f"{prefix}/", include(routes(viewset, basename)))
        for prefix, viewset, basename in RESOURCES
    ),
]

urlpatterns = [
    path("api/v1/", include(api_v1)),  # first: nearly every request is an API call
    path("admin/", include("safety.urls")),  # the admin's home page: what needs attention
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    *static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT),
]

handler400 = "ptbuilder.errors.bad_request"
handler404 = "ptbuilder.errors.not_found"
handler500 = "ptbuilder.errors.server_error"
