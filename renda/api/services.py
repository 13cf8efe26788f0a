"""Writes for the API app: issuing and revoking bearer tokens, each audited."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from renda.api import policies
from renda.api.models import ApiToken, default_lifetime
from renda.api.selectors import hash_key
from renda.core import audit
from renda.core.models import AuditAction, User
from renda.core.policies import Action

TOKEN_PREFIX = "rnd_"  # noqa: S105 - marks our tokens in logs and secret scanners
# Beyond this many live tokens per account the oldest are revoked, so a script that logs in
# on every run cannot pile up thousands of valid credentials.
MAX_ACTIVE_TOKENS = 20
# last_used_at is bookkeeping, not a change anyone acts on: it is refreshed at most this
# often and without an audit event, so reading the API does not write on every request.
TOUCH_INTERVAL = timedelta(minutes=1)
_AUDIT_FIELDS = ["user", "name", "prefix", "created_at", "expires_at", "revoked_at"]


def _region_of(user: User) -> str:
    grant = user.grants.order_by("id").first()
    return grant.region_id if grant else ""


@transaction.atomic
def issue_token(
    *, user: User, name: str = "", lifetime: timedelta | None = None
) -> tuple[ApiToken, str]:
    """Create a token for ``user`` (already authenticated by the caller) and return it with
    the secret, which is shown once and never stored."""
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiToken(
        user=user,
        name=name.strip() or _("接口令牌"),
        key_hash=hash_key(key),
        prefix=key[:12],
        created_at=now,
        expires_at=now + (lifetime if lifetime is not None else default_lifetime()),
    )
    token.save()
    region_code = _region_of(user)
    audit.record(
        actor=user,
        action=AuditAction.CREATE,
        obj=token,
        after=audit.snapshot(token, _AUDIT_FIELDS),
        region_code=region_code,
        message=_("签发接口令牌"),
    )
    surplus = list(
        ApiToken.objects.select_for_update()
        .filter(user=user, revoked_at__isnull=True, expires_at__gt=now)
        .order_by("-created_at", "-id")[MAX_ACTIVE_TOKENS:]
    )
    for old in surplus:
        _revoke(
            actor=user,
            token=old,
            now=now,
            region_code=region_code,
            message=_("超出有效令牌数量上限,自动吊销最早的令牌"),
        )
    return token, key


def _revoke(*, actor: User, token: ApiToken, now: datetime, region_code: str, message: str) -> None:
    token.revoked_at = now
    token.save(update_fields=["revoked_at"])
    audit.record(
        actor=actor,
        action=AuditAction.TRANSITION,
        obj=token,
        before={"revoked_at": None},
        after={"revoked_at": audit.snapshot(token, ["revoked_at"])["revoked_at"]},
        region_code=region_code,
        message=message,
    )


@transaction.atomic
def revoke_token(*, actor: User, token: ApiToken) -> ApiToken:
    locked = ApiToken.objects.select_for_update().get(pk=token.pk)
    policies.tokens.check(actor, locked, Action.DELETE)
    if locked.revoked_at is None:
        _revoke(
            actor=actor,
            token=locked,
            now=timezone.now(),
            region_code=_region_of(locked.user),
            message=_("吊销接口令牌"),
        )
    return locked


def touch_token(*, token: ApiToken) -> None:
    now = timezone.now()
    last = token.last_used_at
    if last is None or now - last >= TOUCH_INTERVAL:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
