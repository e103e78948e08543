"""The tuner's progress bar (tqdm), usable off a terminal: one line per redraw in a log or a pipe."""

from __future__ import annotations

import sys
import threading
import time
import warnings
from typing import Any, TextIO


class _NoBar:
    """Stands in for tqdm's bar when tqdm is not installed."""

    def __init__(self, **kwargs: Any) -> None:
        pass

    def refresh(self) -> None:
        pass

    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


class _OneLinePerUpdate:
    """A text stream for tqdm on which every redraw is a line of its own.

    tqdm redraws its bar in place with a carriage return, which a log file or a pipe shows as one
    ever longer line; here each redraw ends with a newline instead (trailing padding dropped)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        for part in text.split("\r"):
            part = part.rstrip()
            if part:
                self.stream.write(part + "\n")
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return False

    @property
    def encoding(self) -> str | None:
        return getattr(self.stream, "encoding", None)


class Progress:
    """A progress bar on ``stream`` (stderr), drawn by tqdm, redrawn by a timer as well as by each
    settled fit, so that the elapsed time moves during a long fit.

    The tuner's bar counts to ``total`` = the plan's fits (:attr:`boostfocal.tuning.TunePlan.n_fits`:
    one model per configuration, fold and candidate), each once it is settled: trained to the end,
    stopped early by successive halving, or dropped from its row's race.

    On a terminal it is redrawn in place every ``interval`` seconds.  Elsewhere (a log file, a
    pipe, CI) each redraw is a line of its own, every 30 seconds by default, and the last line is
    the final count.  Nothing is shown for runs shorter than ``delay`` seconds or when ``enabled``
    is false.
    """

    def __init__(
        self,
        total: int,
        enabled: bool,
        stream: TextIO | None = None,
        delay: float = 1.0,
        interval: float | None = None,
    ) -> None:
        make_bar: Any  # tqdm's class, or _NoBar
        try:
            from tqdm import tqdm as make_bar
        except ImportError:  # the engines' extras install it
            if enabled:
                warnings.warn("no progress bar: tqdm is not installed (pip install tqdm)", stacklevel=3)
            enabled, make_bar = False, _NoBar
        self.stream = sys.stderr if stream is None else stream
        tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.interval = interval if interval is not None else (0.5 if tty else 30.0)
        self.delay = delay
        self.enabled = enabled
        self.bar = make_bar(
            total=total,
            desc="tune",
            unit="fit",
            file=self.stream if tty else _OneLinePerUpdate(self.stream),
            disable=not enabled,
            delay=delay,
            mininterval=0.5 if tty else self.interval,
            leave=True,
            dynamic_ncols=tty,
            ascii=not tty,
        )
        self._tty = tty
        self._start = time.monotonic()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if enabled:
            self._thread = threading.Thread(target=self._tick, name="boostfocal-progress", daemon=True)
            self._thread.start()

    def _tick(self) -> None:
        start = time.monotonic()
        while not self._stop.wait(self.interval):
            if time.monotonic() - start >= self.delay:
                with self._lock:
                    self.bar.refresh()

    def update(self, n: int = 1) -> None:
        """``n`` more fits settled."""
        with self._lock:
            self.bar.update(n)

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        with self._lock:
            if self.enabled and not self._tty and time.monotonic() - self._start >= self.delay:
                self.bar.refresh()  # off a terminal, the final count is a line even between redraws
            self.bar.close()
