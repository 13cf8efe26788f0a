from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from renda.deputies import services


class Command(BaseCommand):
    help = "Delete uploaded deputies' spreadsheets that were not imported in time (daily cron)."

    def handle(self, *args: Any, **options: Any) -> None:
        purged = services.purge_stale_uploads()
        self.stdout.write(f"purged {purged} upload(s)")
