"""Token log-in, log-out and invitation redeem for client apps and scripts.

Tokens (django-rest-knox) are stored hashed, one per device, and expire after TOKEN_TTL_DAYS.
Requests are throttled per client address (throttling.py); wrong passwords and invitation codes
count towards the account's lock, shared with the admin log-in (login_lock.py).
"""

from django.contrib.auth.validators import UnicodeUsernameValidator
from drf_spectacular.utils import extend_schema, inline_serializer
from knox.models import AuthToken
from knox.views import LogoutView as KnoxLogoutView
from rest_framework import serializers, status
from rest_framework.authtoken import serializers as authtoken
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from programs.invitations import RedeemError, invitation_redeem

from . import login_lock
from .json_types import JSONTypesMixin
from .schema import error_response
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


class RedeemSerializer(JSONTypesMixin, serializers.Serializer):
    code = serializers.CharField(max_length=40)
    username = serializers.CharField(max_length=150, validators=[UnicodeUsernameValidator()])
    password = serializers.CharField(max_length=128, style={"input_type": "password"})


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


class RedeemView(PublicAuthView):
    """Creates the client's app account from an invitation code and signs it in. A wrong code
    counts towards the lock of the username it was sent with; a taken username or a weak
    password does not, as the code was right."""

    serializer_class = RedeemSerializer

    @extend_schema(request=RedeemSerializer, responses={201: TokenSerializer, 429: TOO_MANY})
    def post(self, request):
        serializer = RedeemSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        credentials = {"username": data["username"]}
        if not login_lock.reserve(request, credentials):
            raise login_lock.AccountLocked()
        try:
            user = invitation_redeem(**data)
        except RedeemError as error:
            if error.field == "code":
                login_lock.failed(request, credentials, sender=type(self))
            else:
                login_lock.release(request)
            raise serializers.ValidationError({error.field: [error.message]}) from error
        login_lock.release(request)
        return token_response(user, status_code=status.HTTP_201_CREATED)


class LogoutView(KnoxLogoutView):
    """Revokes the token used for this request."""

    authentication_classes = [TokenAuthentication]

    @extend_schema(request=None, responses={204: None})
    def post(self, request, format=None):
        return super().post(request, format)
