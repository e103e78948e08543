"""The typed API: mypy, strict on the package, passes with the configuration of pyproject.toml.

- ``python -m mypy`` run from the repository root (``[tool.mypy]``: ``files = ["boostfocal"]``,
  ``strict``) reports no error.  It uses mypy's cache (``.mypy_cache``), so a second run only
  re-checks what changed.
- The configuration stays strict and explicit: ``strict = true`` on the package, no
  ``ignore_errors`` anywhere, and ``ignore_missing_imports`` only in overrides that name the
  libraries without type information one by one (no wildcard that would cover everything).
- The package ships ``py.typed`` (PEP 561), so users' type checkers read its annotations.

Skipped when mypy is not installed (it is in the ``test`` extra) or when the tests do not run
from a checkout (no ``pyproject.toml`` beside them).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = ROOT / "pyproject.toml"


def _mypy_config() -> dict[str, Any]:
    if not PYPROJECT.is_file():
        pytest.skip("not run from a checkout: no pyproject.toml")
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        tomllib = pytest.importorskip("tomli")
    with PYPROJECT.open("rb") as f:
        config: dict[str, Any] = tomllib.load(f)["tool"]["mypy"]
    return config


def test_mypy_passes_on_the_package() -> None:
    pytest.importorskip("mypy", reason="mypy is in the test extra")
    assert _mypy_config()["files"] == ["boostfocal"]
    proc = subprocess.run(
        [sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True, timeout=600, check=False
    )
    report = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"mypy reports errors:\n{report}"
    assert "Success: no issues found" in proc.stdout, report


def test_the_configuration_is_strict_and_explicit() -> None:
    config = _mypy_config()
    assert config.get("strict") is True
    assert "ignore_errors" not in config and "ignore_missing_imports" not in config
    for override in config.get("overrides", []):
        modules = override["module"]
        modules = [modules] if isinstance(modules, str) else modules
        assert not override.get("ignore_errors", False), f"ignore_errors for {modules}"
        assert not any(m.startswith("boostfocal") for m in modules), f"an override relaxes the package: {modules}"
        for m in modules:
            assert m.split(".")[0] not in ("*", ""), f"a wildcard override: {m!r}"


def test_the_package_ships_py_typed() -> None:
    import boostfocal

    assert (Path(boostfocal.__file__).parent / "py.typed").is_file()
