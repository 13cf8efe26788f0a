"""Acceptance: adding an app needs one INSTALLED_APPS line, one URL line and (inside renda) one
line in the layers contract. The sample app in this package registers a menu entry, an API
router and a workbench panel from its own ready(); run under its settings in a separate process,
the site shows all three and serves its page, with no change to web or api."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import renda

ROOT = Path(__file__).resolve().parents[2]
CHECKS = Path(__file__).with_name("checks.py")
SETTINGS = "tests.sample_app.settings"


def test_a_new_app_plugs_in_without_touching_web_or_api() -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": SETTINGS}
    env.pop("PYTEST_ADDOPTS", None)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--ds",
            SETTINGS,
            # No data migrations exist; tables straight from the models keep this fast.
            "--nomigrations",
            str(CHECKS.relative_to(ROOT)),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "5 passed" in result.stdout


def test_the_sample_app_lives_outside_renda() -> None:
    # Nothing in web or api names it: it is reached only through the registries.
    package = Path(renda.__file__).parent
    for app in ("web", "api"):
        for source in (package / app).rglob("*.py"):
            assert "sample_app" not in source.read_text(encoding="utf-8"), source
