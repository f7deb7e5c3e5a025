"""Token log-in and log-out for client apps and scripts (tokens expire and are stored hashed)."""

from drf_spectacular.utils import extend_schema, inline_serializer
from knox.models import AuthToken
from knox.views import LogoutView as KnoxLogoutView
from rest_framework import serializers, status
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

TokenSerializer = inline_serializer(
    "Token", {"token": serializers.CharField(), "expires": serializers.DateTimeField()}
)


def token_response(user, *, status_code=status.HTTP_200_OK) -> Response:
    instance, token = AuthToken.objects.create(user)
    return Response({"token": token, "expires": instance.expiry}, status=status_code)


class TokenView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    serializer_class = AuthTokenSerializer

    @extend_schema(request=AuthTokenSerializer, responses={200: TokenSerializer})
    def post(self, request):
        serializer = AuthTokenSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        return token_response(serializer.validated_data["user"])


class LogoutView(KnoxLogoutView):
    """Revokes the token used for this request."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request, format=None):
        return super().post(request, format)
