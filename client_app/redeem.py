"""An invitation code becomes the client's app account, signed in at once."""

from django.contrib.auth.validators import UnicodeUsernameValidator
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status

from accounts import login_lock
from accounts.views import TOO_MANY, PublicAuthView, TokenSerializer, token_response
from clients.invitations import RedeemError, invitation_redeem
from ptbuilder.json_types import JSONTypesMixin


class RedeemSerializer(JSONTypesMixin, serializers.Serializer):
    code = serializers.CharField(max_length=40)
    username = serializers.CharField(max_length=150, validators=[UnicodeUsernameValidator()])
    password = serializers.CharField(max_length=128, style={"input_type": "password"})


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
