"""Cron entry point (daily, or more often): due-soon reminders and overdue escalations of
assigned cases. Safe to run repeatedly and on several machines at once."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from renda.cases import services


class Command(BaseCommand):
    help = "扫描交办事项的办理期限:到期前提醒、逾期督办(可重复运行,每条规则只提醒一次)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            default=None,
            help="按指定日期扫描(YYYY-MM-DD),用于补发或测试",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        sent = services.scan_deadlines(today=options["today"])
        self.stdout.write(f"reminders {sent}")
