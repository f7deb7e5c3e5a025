"""Token log-in, log-out and invitation redeem for client apps and scripts.

Tokens (django-rest-knox) are stored hashed, one per device, and expire after TOKEN_TTL_DAYS.
Failed attempts are limited per IP and per username (see throttling.py).
"""

from collections.abc import Mapping

from django.contrib.auth.validators import UnicodeUsernameValidator
from drf_spectacular.utils import extend_schema, inline_serializer
from knox.models import AuthToken
from knox.views import LogoutView as KnoxLogoutView
from rest_framework import serializers, status
from rest_framework.authtoken import serializers as authtoken
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from programs.invitations import RedeemError, invitation_redeem

from .json_types import JSONTypesMixin
from .schema import error_response
from .throttling import check_not_locked, record_failure
from .tokens import CachedTokenAuthentication

TokenSerializer = inline_serializer(
    "Token", {"token": serializers.CharField(), "expires": serializers.DateTimeField()}
)
TOO_MANY = error_response("Too many attempts (or failed attempts) from here; see Retry-After.")


def token_response(user, *, status_code=status.HTTP_200_OK) -> Response:
    instance, token = AuthToken.objects.create(user)
    return Response({"token": token, "expires": instance.expiry}, status=status_code)


class AuthTokenSerializer(JSONTypesMixin, authtoken.AuthTokenSerializer):
    """`{username, password}`, both strings."""


class RedeemSerializer(JSONTypesMixin, serializers.Serializer):
    code = serializers.CharField(max_length=40)
    username = serializers.CharField(max_length=150, validators=[UnicodeUsernameValidator()])
    password = serializers.CharField(max_length=128, style={"input_type": "password"})


class PublicAuthView(APIView):
    """Reachable without credentials; every failure counts towards the 429 limit."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    def attempt(self, request, serializer_class):
        data = request.data if isinstance(request.data, Mapping) else {}
        username = str(data.get("username", ""))[:150]
        check_not_locked(request, username)
        serializer = serializer_class(data=request.data, context={"request": request})
        if not serializer.is_valid():
            record_failure(request, username)
            raise serializers.ValidationError(serializer.errors)
        return serializer.validated_data


class TokenView(PublicAuthView):
    serializer_class = AuthTokenSerializer

    @extend_schema(request=AuthTokenSerializer, responses={200: TokenSerializer, 429: TOO_MANY})
    def post(self, request):
        return token_response(self.attempt(request, AuthTokenSerializer)["user"])


class RedeemView(PublicAuthView):
    """Creates the client's app account from an invitation code and signs it in."""

    serializer_class = RedeemSerializer

    @extend_schema(request=RedeemSerializer, responses={201: TokenSerializer, 429: TOO_MANY})
    def post(self, request):
        data = self.attempt(request, RedeemSerializer)
        try:
            user = invitation_redeem(**data)
        except RedeemError as error:
            record_failure(request, data["username"])
            raise serializers.ValidationError({error.field: [error.message]}) from error
        return token_response(user, status_code=status.HTTP_201_CREATED)


class LogoutView(KnoxLogoutView):
    """Revokes the token used for this request."""

    authentication_classes = [CachedTokenAuthentication]

    @extend_schema(request=None, responses={204: None})
    def post(self, request, format=None):
        return super().post(request, format)
