from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from renda.seed import world


class Command(BaseCommand):
    help = "Load deterministic demo data (small: quick demo; city: Hengyang scale)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=sorted(world.PLANS), default="small")
        parser.add_argument(
            "--if-empty", action="store_true",
            help="Do nothing when demo data is already there (used by `make run`).",
        )

    def handle(self, *args: Any, scale: str, if_empty: bool, **options: Any) -> None:
        if world.is_seeded():
            if if_empty:
                self.stdout.write("demo data already present")
                self.stdout.write(world.demo_accounts_text())
                return
            raise CommandError("数据库中已有演示数据;请先使用空数据库(例如删除 var/renda.sqlite3)。")
        started = time.perf_counter()
        world.build(scale, log=lambda line: self.stdout.write(f"  {line}"))
        self.stdout.write(self.style.SUCCESS(f"seeded {scale} in {time.perf_counter() - started:.1f}s"))
        self.stdout.write(world.demo_accounts_text())
