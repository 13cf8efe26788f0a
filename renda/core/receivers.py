"""Auth signals into the audit log: Django raises these for every login path (pages, admin,
API token), so hooking them once covers them all."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from renda.core import audit
from renda.core.models import AuditAction, User


def _region_of(user: Any) -> str:
    grant = user.grants.order_by("id").first() if user is not None and user.pk else None
    return grant.region_id if grant else ""


@receiver(user_logged_in, dispatch_uid="renda_audit_login")
def _logged_in(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    audit.record(actor=user, action=AuditAction.LOGIN, obj=user, region_code=_region_of(user))


@receiver(user_logged_out, dispatch_uid="renda_audit_logout")
def _logged_out(sender: Any, request: Any, user: User | None, **kwargs: Any) -> None:
    if user is not None:
        audit.record(actor=user, action=AuditAction.LOGOUT, obj=user, region_code=_region_of(user))


@receiver(user_login_failed, dispatch_uid="renda_audit_login_failed")
def _login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    username = str(credentials.get("username", ""))[:150]
    user = User.objects.filter(username=username).first()
    audit.record(
        actor=None,
        actor_name=username,
        action=AuditAction.LOGIN_FAILED,
        object_type="core.user",
        object_id=str(user.pk) if user else "",
        object_repr=username,
        region_code=_region_of(user),
    )
