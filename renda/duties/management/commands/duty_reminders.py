"""Cron entry point (every 10 minutes): remind invitees of activities starting soon."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from renda.duties import services


class Command(BaseCommand):
    help = "提醒受邀代表即将开始的履职活动(可重复运行,每人每项活动只提醒一次)"

    def handle(self, *args: Any, **options: Any) -> None:
        sent = services.send_reminders()
        self.stdout.write(f"reminded {sent}")
