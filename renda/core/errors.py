"""Errors that services raise and every interface (pages, API) shows in plain Chinese."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


class RendaError(Exception):
    """Base for expected, user-facing failures; ``message`` is already translated."""

    default_message: Any = _("操作未能完成。")
    status_code = 400

    def __init__(self, message: Any = None, **params: Any) -> None:
        self.message = str(message or self.default_message)
        if params:
            self.message = self.message % params
        super().__init__(self.message)

    @property
    def summary(self) -> str:
        """One line for pages that can only flash a message (no form to show fields on):
        a specific message as it is; instead of the generic one, the field messages, which
        say what to fix."""
        field_errors: dict[str, list[str]] = getattr(self, "field_errors", {}) or {}
        details = [str(m) for messages in field_errors.values() for m in messages]
        if details and self.message == str(self.default_message):
            return " ".join(details)
        return self.message


class NotPermitted(RendaError):
    default_message = _("您没有权限执行此操作。")
    status_code = 403


class NotFound(RendaError):
    default_message = _("记录不存在,或不在您的管辖范围内。")
    status_code = 404


class InvalidInput(RendaError):
    default_message = _("填写的内容有误,请按提示修改后再提交。")
    status_code = 422

    def __init__(
        self,
        message: Any = None,
        *,
        field_errors: dict[str, list[str]] | None = None,
        **params: Any,
    ) -> None:
        super().__init__(message, **params)
        self.field_errors = field_errors or {}


class Conflict(RendaError):
    default_message = _("记录已被他人修改,请刷新后再试。")
    status_code = 409


class IllegalTransition(Conflict):
    """A workflow was asked to move from a state that does not allow that step."""

    default_message = _("当前状态为“%(state)s”,不能执行“%(action)s”。")
