"""``python -m boostfocal`` runs the command line (see :mod:`boostfocal.cli`)."""

from __future__ import annotations

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
