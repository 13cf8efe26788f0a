"""Sign-in lockout that an attacker cannot turn against the office (django-axes handler).

Two limits, both counted over the cool-off window (``AXES_COOLOFF_TIME``, 15 minutes):

- **a username from one address**: ``AXES_FAILURE_LIMIT`` (5) wrong passwords or codes for
  one username from one client address lock that username *from that address*
  (``AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]``). Someone guessing at
  ``admin`` from outside does not lock the office out: the office signs in from its own
  address. Several browsers on one address add up.
- **one address across usernames** (password spraying): ``LOGIN_ADDRESS_FAILURE_LIMIT`` (20)
  failures from one address over any usernames refuse every sign-in from that address,
  right password or not. High enough that a township office behind one NAT address does not
  trip it with typos, low enough that one client cannot try a password on 40 accounts.

Refused attempts during a lock are not recorded
(``AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False``), so the window does not restart:
a lock lifts one cool-off period after the failure that completed it, whatever comes after.

Both the pages (``renda.accounts``) and the API token endpoint (``renda.api.auth``) sign in
through ``django.contrib.auth.authenticate``, so both are counted and refused here, and both
ask :func:`state` what to tell the caller.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_ip_address, get_cool_off
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

_DEFAULT_COOL_OFF = dt.timedelta(minutes=15)


class Kind(StrEnum):
    ACCOUNT = "account"  # this username from this address
    ADDRESS = "address"  # every username from this address


@dataclass(frozen=True)
class Lock:
    kind: Kind
    until: dt.datetime


def cool_off(request: HttpRequest | None = None) -> dt.timedelta:
    value = get_cool_off(request)
    return value if isinstance(value, dt.timedelta) else _DEFAULT_COOL_OFF


def address_limit() -> int:
    return int(settings.LOGIN_ADDRESS_FAILURE_LIMIT)


def address_of(request: HttpRequest) -> str | None:
    """The client address as axes sees it (``PROXY_COUNT`` aware)."""
    known = getattr(request, "axes_ip_address", None)
    return str(known) if known else get_client_ip_address(request)


def _lifts_at(
    attempts: QuerySet[AccessAttempt], limit: int, period: dt.timedelta
) -> dt.datetime | None:
    """When a lock over these attempt records lifts, or None if they do not reach the limit.

    Axes sums ``failures_since_start`` of the records whose last failure is within the
    window; walking from the newest, the record that completes the limit is the one whose
    leaving the window brings the sum under it.
    """
    now = timezone.now()
    total = 0
    recent = attempts.filter(attempt_time__gte=now - period).order_by("-attempt_time")
    for attempt_time, failures in recent.values_list("attempt_time", "failures_since_start"):
        total += failures
        if total >= limit:
            until: dt.datetime = attempt_time + period
            return until
    return None


def _address_failures(address: str | None, since: dt.datetime) -> int:
    if not address:
        return 0
    failures = AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=since)
    return sum(failures.values_list("failures_since_start", flat=True))


def state(request: HttpRequest, username: str) -> Lock | None:
    """Which lock refuses ``username`` from this request's address, and until when."""
    period = cool_off(request)
    address = address_of(request)
    from_here = AccessAttempt.objects.filter(ip_address=address)
    account = _lifts_at(
        from_here.filter(username=username), int(settings.AXES_FAILURE_LIMIT), period
    )
    spraying = _lifts_at(from_here, address_limit(), period) if address else None
    if spraying is not None:
        return Lock(Kind.ADDRESS, max(spraying, account or spraying))
    if account is not None:
        return Lock(Kind.ACCOUNT, account)
    return None


class LockoutHandler(AxesDatabaseHandler):  # type: ignore[misc]
    """AXES_HANDLER: axes' database handler plus the per-address throttle."""

    def _address_throttled(self, request: Any) -> bool:
        since = timezone.now() - cool_off(request)
        return _address_failures(address_of(request), since) >= address_limit()

    def is_locked(self, request: Any, credentials: dict[str, Any] | None = None) -> bool:
        return bool(super().is_locked(request, credentials)) or self._address_throttled(request)

    def user_login_failed(
        self, sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
    ) -> None:
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or getattr(request, "axes_locked_out", False):
            return
        if self._address_throttled(request):
            # This failure completed the address's limit: refuse it like axes refuses a lock.
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send(
                "axes",
                request=request,
                username=(credentials or {}).get(settings.AXES_USERNAME_FORM_FIELD),
                ip_address=request.axes_ip_address,
            )
