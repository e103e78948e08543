"""Arguments each gallery script gets when the site is built (imported by name from ``conf.py``,
so that Sphinx can pickle its configuration)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

#: Small data: the scripts' own defaults are larger.
GALLERY_ARGS = {"dask_example.py": ["--rows", "4000", "--rounds", "10"]}
GALLERY_DEFAULT_ARGS = ["--rows", "4000"]


def reset_argv(gallery_conf: dict[str, Any], script_vars: dict[str, Any]) -> list[str]:
    """``sys.argv[1:]`` of the script ``script_vars["src_file"]`` at build time."""
    return GALLERY_ARGS.get(Path(script_vars["src_file"]).name, GALLERY_DEFAULT_ARGS)
