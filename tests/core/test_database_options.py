"""The connection settings the web and the workers run their queries with: on PostgreSQL no
JIT compilation (renda/settings.py says why), unless DB_OPTIONS says otherwise."""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_postgresql_sessions_run_without_jit() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("JIT is PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
