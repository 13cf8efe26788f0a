from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from renda.notifications import services


class Command(BaseCommand):
    help = "Enqueue again e-mail/SMS deliveries that no task will pick up (the worker and the scheduler run it)."

    def add_arguments(self, parser: CommandParser) -> None:
        default = int(services.REQUEUE_AFTER.total_seconds())
        parser.add_argument(
            "--seconds",
            type=int,
            default=default,
            help=f"Only deliveries untouched for this many seconds (default {default}).",
        )
        parser.add_argument(
            "--minutes", type=int, default=None, help="The same cutoff in minutes (older form)."
        )

    def handle(self, *args: Any, seconds: int, minutes: int | None, **options: Any) -> None:
        cutoff = (
            datetime.timedelta(minutes=minutes)
            if minutes is not None
            else datetime.timedelta(seconds=seconds)
        )
        count = services.requeue_stalled(older_than=cutoff)
        self.stdout.write(f"requeued {count} deliveries")
