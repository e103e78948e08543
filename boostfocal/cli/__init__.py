"""The ``boostfocal`` command line: ``boostfocal tune [DATA] ...``.

Reads a CSV (pandas if installed, else the standard library; the same table either way; the
delimiter read from the header or given with ``--sep``) or Parquet file (pandas and pyarrow) with
:func:`boostfocal.tables.read_table`, text and boolean columns as categorical features and an
optional column of sample weights, or draws the built-in :func:`boostfocal.datasets.make_fraud`
data when no file is given, runs :func:`boostfocal.tune`, and prints the table, the winning
configuration and a Python program that trains it on all the data, saves it and scores new rows
coded as in training (numpy and the standard library suffice to run it for a CSV file).

Everything the command can check (options, the data, engine parameters, the size of the grid,
the plot's file format) is checked before the first fit.  Bad input -- a :class:`UsageError` of
this module, a :class:`boostfocal.tables.TableError`, or a ``ValueError``/``TypeError``/
``ImportError`` that boostfocal's own argument checks raise before the search starts -- ends with
a one-line message on stderr and exit status 2.  Any other failure, an error raised while the
models are fitted included, is unexpected: a one-line message and status 1 (``--traceback``
shows the full one).

Modules: :mod:`._parser` (the options and their types), :mod:`._run` (the run and its report).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import NoReturn

from ..tables import TableError
from ._parser import UsageError, _attach_dash_values, build_parser
from ._run import _data_code as _data_code  # the tests build the printed program
from ._run import _first_line, _run_tune, cli_message

__all__ = ["UsageError", "build_parser", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns 0 on success, raises ``SystemExit`` (2 bad input, 1 failure) otherwise."""
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parser.parse_args(_attach_dash_values(parser, argv))
    if args.command is None:
        parser.error("a command is required: tune")
    try:
        sys.stdout.reconfigure(errors="replace")  # type: ignore[union-attr]
    except (AttributeError, ValueError):  # pragma: no cover - replaced stdout
        pass
    prog = f"{parser.prog} {args.command}"
    try:
        return _run_tune(args)
    except (UsageError, TableError) as exc:  # our own checks of the input, and only those
        _fail(prog, cli_message(_first_line(exc)), 2)
    except KeyboardInterrupt:
        _fail(prog, "interrupted", 130)
    except Exception as exc:
        if args.traceback:
            raise
        _fail(
            prog,
            f"unexpected {type(exc).__name__}: {_first_line(exc)} (run again with --traceback for details)",
            1,
        )


def _fail(prog: str, message: str, status: int) -> NoReturn:
    sys.stdout.flush()
    sys.stderr.write(f"{prog}: error: {message}\n")
    raise SystemExit(status)
