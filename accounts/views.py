"""Token log-in and log-out for client apps and scripts.

Tokens (django-rest-knox) are stored hashed, one per device, and expire after TOKEN_TTL_DAYS.
Requests are throttled per client address (throttling.py); wrong passwords (and invitation
codes, client_app/redeem.py) count towards the account's lock, shared with the admin log-in
(login_lock.py).
"""

from drf_spectacular.utils import extend_schema, inline_serializer
from knox.models import AuthToken
from knox.views import LogoutView as KnoxLogoutView
from rest_framework import serializers, status
from rest_framework.authtoken import serializers as authtoken
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from ptbuilder.json_types import JSONTypesMixin
from ptbuilder.schema import error_response

from . import login_lock
from .throttling import AuthRateThrottle
from .tokens import TokenAuthentication

TokenSerializer = inline_serializer(
    "Token", {"token": serializers.CharField(), "expires": serializers.DateTimeField()}
)
TOO_MANY = error_response(
    "Too many attempts from here, or too many failed log-ins for the account; see Retry-After."
)


def token_response(user, *, status_code=status.HTTP_200_OK) -> Response:
    instance, token = AuthToken.objects.create(user)
    return Response({"token": token, "expires": instance.expiry}, status=status_code)


class AuthTokenSerializer(JSONTypesMixin, authtoken.AuthTokenSerializer):
    """`{username, password}`, both strings."""


class PublicAuthView(APIView):
    """Reachable without credentials, so throttled per client address."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [AuthRateThrottle]
    throttle_scope = "auth"


class TokenView(PublicAuthView):
    """A wrong password is a 400; a locked account a 429, its password unchecked."""

    serializer_class = AuthTokenSerializer

    @extend_schema(request=AuthTokenSerializer, responses={200: TokenSerializer, 429: TOO_MANY})
    def post(self, request):
        serializer = AuthTokenSerializer(data=request.data, context={"request": request})
        if not serializer.is_valid():
            if login_lock.refused(request):
                raise login_lock.AccountLocked()
            raise serializers.ValidationError(serializer.errors)
        return token_response(serializer.validated_data["user"])


class LogoutView(KnoxLogoutView):
    """Revokes the token used for this request."""

    authentication_classes = [TokenAuthentication]

    @extend_schema(request=None, responses={204: None})
    def post(self, request, format=None):
        return super().post(request, format)
