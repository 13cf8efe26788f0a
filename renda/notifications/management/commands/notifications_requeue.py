from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from renda.notifications import services


class Command(BaseCommand):
    help = "Enqueue again e-mail/SMS deliveries that no task will pick up (run from cron)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--minutes",
            type=int,
            default=15,
            help="Only deliveries untouched for this many minutes (default 15).",
        )

    def handle(self, *args: Any, minutes: int, **options: Any) -> None:
        count = services.requeue_stalled(older_than=datetime.timedelta(minutes=minutes))
        self.stdout.write(f"requeued {count} deliveries")
