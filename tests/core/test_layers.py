"""The layers contract bites: on a copy of the tree, a kit importing a domain app, or an app
left out of the contract, fails ``lint-imports`` (``make lint`` runs it on the real tree)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT = Path(sys.executable).with_name("lint-imports")

pytestmark = pytest.mark.skipif(not LINT.exists(), reason="import-linter is not installed")


def _copy(tmp_path: Path) -> Path:
    tree = tmp_path / "tree"
    shutil.copytree(
        ROOT / "renda",
        tree / "renda",
        ignore=shutil.ignore_patterns("static", "locale", "templates", "__pycache__", "*.pyc"),
    )
    shutil.copy(ROOT / "pyproject.toml", tree / "pyproject.toml")
    return tree


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(
        [str(LINT), "--config", str(tree / "pyproject.toml"), "--no-cache"],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def test_the_real_tree_keeps_the_contracts(tmp_path: Path) -> None:
    result = _lint(_copy(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("module", "line", "message"),
    [
        ("core/dates.py", "from renda.deputies import models", "renda.core is not allowed"),
        ("web/pdf.py", "from renda.duties import facts", "renda.web is not allowed"),
        ("api/kit.py", "from renda.cases import models", "renda.api is not allowed"),
        ("cases/kinds.py", "from renda.deputies import models", "renda.cases.kinds"),
    ],
)
def test_a_kit_importing_a_domain_app_fails(
    tmp_path: Path, module: str, line: str, message: str
) -> None:
    tree = _copy(tmp_path)
    with (tree / "renda" / module).open("a", encoding="utf-8") as handle:
        handle.write(f"\n{line}  # noqa\n")
    result = _lint(tree)
    assert result.returncode != 0
    assert message in result.stdout


def test_an_app_left_out_of_the_contract_fails(tmp_path: Path) -> None:
    tree = _copy(tmp_path)
    (tree / "renda" / "newapp").mkdir()
    (tree / "renda" / "newapp" / "__init__.py").write_text("", encoding="utf-8")
    result = _lint(tree)
    assert result.returncode != 0
    assert "renda.newapp" in result.stdout
