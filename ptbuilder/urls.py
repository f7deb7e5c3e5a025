from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from exercises.views import ConditionViewSet, ExerciseViewSet
from programs.me_views import MeView, MyProgramViewSet, MySessionViewSet
from programs.views import ClientViewSet, ProgramViewSet

from .auth import LogoutView, RedeemView, TokenView

router = DefaultRouter()
router.include_format_suffixes = False  # JSON only: no `.json` twin of every route
router.register("exercises", ExerciseViewSet, basename="exercise")
router.register("conditions", ConditionViewSet, basename="condition")
router.register("clients", ClientViewSet, basename="client")
router.register("programs", ProgramViewSet, basename="program")
router.register("me/programs", MyProgramViewSet, basename="my-program")
router.register("me/sessions", MySessionViewSet, basename="my-session")

api_v1 = [
    path("auth/token/", TokenView.as_view(), name="auth-token"),
    path("auth/logout/", LogoutView.as_view(), name="auth-logout"),
    path("auth/redeem/", RedeemView.as_view(), name="auth-redeem"),
    path("me/", MeView.as_view(), name="me"),
    path("", include(router.urls)),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    *static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT),
]

handler400 = "ptbuilder.errors.bad_request"
handler404 = "ptbuilder.errors.not_found"
handler500 = "ptbuilder.errors.server_error"
