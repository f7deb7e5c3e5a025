"""One-time invitation codes with which a client creates their app account."""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from ptbuilder.domain_errors import Conflict

from .models import Client, Invitation

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: easy to read out and type
CODE_LENGTH = 12


def code_hash(code: str) -> str:
    """Keyed hash of the normalised code; the code itself is never stored."""
    normalised = code.replace("-", "").replace(" ", "").upper()
    return hmac.new(settings.SECRET_KEY.encode(), normalised.encode(), hashlib.sha256).hexdigest()


@transaction.atomic
def invitation_create(*, client: Client, by) -> tuple[str, Invitation]:
    """A fresh code for the client, replacing any earlier one; returns the code once."""
    if client.user_id is not None:
        raise Conflict("This client already has an app account.")
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    code = "-".join(raw[index : index + 4] for index in range(0, CODE_LENGTH, 4))
    now = timezone.now()
    invitation, _ = Invitation.objects.update_or_create(
        client=client,
        defaults={
            "code_hash": code_hash(code),
            "expires_at": now + timedelta(days=settings.INVITATION_TTL_DAYS),
            "created_by": by,
            "created_at": now,
            "used_at": None,
        },
    )
    return code, invitation


class RedeemError(Exception):
    """Why a code cannot be redeemed, keyed by the request field at fault."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


@transaction.atomic
def invitation_redeem(*, code: str, username: str, password: str):
    """Create the client's account from a valid code and link it; raises RedeemError."""
    invitation = (
        Invitation.objects.select_for_update()
        .select_related("client")
        .filter(code_hash=code_hash(code))
        .first()
    )
    if invitation is None:
        raise RedeemError("code", "This code is wrong.")
    if invitation.used_at is not None:
        raise RedeemError("code", "This code has already been used.")
    if invitation.expires_at <= timezone.now():
        raise RedeemError("code", "This code has expired; ask your therapist for a new one.")
    client = invitation.client
    if client.user_id is not None:
        raise RedeemError("code", "This client already has an account.")
    User = get_user_model()
    if User.objects.filter(username__iexact=username).exists():
        raise RedeemError("username", "This username is taken.")
    user = User(username=username, email=client.email, first_name=client.first_name)
    user.last_name = client.last_name
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise RedeemError("password", " ".join(error.messages)) from error
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as error:
        raise RedeemError("username", "This username is taken.") from error
    client.user = user
    client.save(update_fields=["user"])
    invitation.used_at = timezone.now()
    invitation.save(update_fields=["used_at"])
    return user
