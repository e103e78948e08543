"""The typed API: mypy, strict on the package, passes with the configuration of pyproject.toml.

``python -m mypy`` run from the repository root (``[tool.mypy]``: ``files = ["boostfocal"]``,
``strict``) reports no error.  It uses mypy's cache (``.mypy_cache``), so a later run re-checks
only what changed.  That the configuration stays strict and names the libraries without hints one
by one is checked in ``tests/test_docs.py`` (``test_the_package_ships_its_type_hints``).

Skipped when mypy is not installed (it is in the ``test`` extra) or when the tests do not run
from a checkout (no ``pyproject.toml`` beside them).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_mypy_passes_on_the_package() -> None:
    pytest.importorskip("mypy", reason="mypy is in the test extra")
    if not (ROOT / "pyproject.toml").is_file():
        pytest.skip("not run from a checkout: no pyproject.toml")
    proc = subprocess.run(
        [sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True, timeout=600, check=False
    )
    report = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"mypy reports errors:\n{report}"
    assert "Success: no issues found" in proc.stdout, report
