"""Writes about a user's own sign-in security: setting up and removing the TOTP authenticator.

Password changes are ``renda.core.services.change_password``; login, logout and failed logins
are audited by ``renda.core.receivers`` from Django's auth signals.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from renda.core import audit
from renda.core.errors import Conflict, InvalidInput, NotFound
from renda.core.models import AuditAction, User


def _region_code(user: User) -> str:
    return user.person.region_id if user.person_id and user.person else ""


@transaction.atomic
def begin_totp_setup(*, user: User) -> TOTPDevice:
    """The user's pending (unconfirmed) authenticator, created on first call.

    Reusing the pending device keeps the QR code stable when the page is reloaded or the
    first code was mistyped; it only becomes a second factor once ``confirm_totp_device``
    proves the phone holds the secret.
    """
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise Conflict(_("您已启用两步验证,如需更换手机,请先移除原验证器。"))
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("手机验证器"), confirmed=False)
    return device


@transaction.atomic
def confirm_totp_device(*, user: User, device_id: int, token: str) -> TOTPDevice:
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(pk=device_id, user=user, confirmed=False)
        .first()
    )
    if device is None:
        raise NotFound(_("设置已过期,请重新扫描二维码。"))
    if not device.verify_token(token):
        raise InvalidInput(
            field_errors={"token": [_("验证码不正确,请输入验证器上当前显示的 6 位数字。")]}
        )
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    # Any other half-finished setups are now meaningless secrets; drop them.
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    audit.record(
        actor=user,
        action=AuditAction.CREATE,
        obj=device,
        message=_("启用两步验证"),
        after={"name": device.name, "confirmed": True},
        region_code=_region_code(user),
    )
    return device


@transaction.atomic
def remove_totp_device(*, user: User, password: str) -> None:
    """Remove the user's authenticator after re-checking the password, so that a session left
    open on a shared computer cannot switch two-step verification off."""
    if not user.check_password(password):
        raise InvalidInput(field_errors={"password": [_("密码不正确。")]})
    devices = list(TOTPDevice.objects.filter(user=user).order_by("id"))
    if not any(d.confirmed for d in devices):
        raise NotFound(_("您尚未启用两步验证。"))
    for device in devices:
        if device.confirmed:
            audit.record(
                actor=user,
                action=AuditAction.DELETE,
                obj=device,
                message=_("移除两步验证"),
                before={"name": device.name, "confirmed": True},
                region_code=_region_code(user),
            )
        device.delete()
