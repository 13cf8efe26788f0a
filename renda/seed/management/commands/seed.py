from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from renda.seed import activities, world
from renda.seed import suggestions as seed_suggestions


class Command(BaseCommand):
    help = "Load deterministic demo data (small: quick demo; city: Hengyang scale)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=sorted(world.PLANS), default="small")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when demo data is already there (used by `make run`).",
        )

    def handle(self, *args: Any, scale: str, if_empty: bool, **options: Any) -> None:
        if world.is_seeded():
            if if_empty:
                self.stdout.write("demo data already present")
                self.stdout.write(world.demo_accounts_text())
                return
            raise CommandError(
                "数据库中已有演示数据;请先使用空数据库(例如删除 var/renda.sqlite3)。"
            )
        started = time.perf_counter()

        def log(line: str) -> None:
            self.stdout.write(f"  {line}")

        world.build(scale, log=log)
        # Suggestions and their cases first: submitting one is a duty record, which the
        # points computed at the end of the duty data must count.
        seed_suggestions.build(scale, log=log)
        # The duty data (activities, attendance, records, points) on top of the world.
        summary = activities.build(scale, log=log)
        if summary.points_skipped:
            self.stdout.write(self.style.WARNING(f"points not computed: {summary.points_skipped}"))
        self.stdout.write(
            self.style.SUCCESS(f"seeded {scale} in {time.perf_counter() - started:.1f}s")
        )
        self.stdout.write(world.demo_accounts_text())
