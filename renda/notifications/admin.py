"""Read-only views of messages and delivery records for operators in the Django admin."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from renda.notifications.models import Delivery, Notification


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "recipient", "kind", "title", "in_app", "read_at")
    list_filter = ("kind", "in_app")
    search_fields = ("title", "recipient__username")
    raw_id_fields = ("recipient",)


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "channel",
        "destination",
        "status",
        "attempts",
        "sent_at",
        "last_error",
    )
    list_filter = ("status", "channel")
    raw_id_fields = ("notification",)
