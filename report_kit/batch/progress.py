"""A one-line progress display on stderr, so that stdout keeps only the final summary."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """``审核进度 120/1000（12%） 已用 3秒 预计剩余 22秒`` rewritten in place with ``\\r``.

    Redraws at most every ``interval`` seconds; ``close`` prints the final line and a newline.
    """

    def __init__(
        self, total: int, stream: TextIO | None = None, interval: float = 0.2, label: str = "审核进度"
    ) -> None:
        self.total = total
        self.label = label
        self.done = 0
        self.stream = stream if stream is not None else sys.stderr
        self.interval = interval
        self.started = time.monotonic()
        self._drawn = 0.0
        self.note = ""  # running tallies the caller keeps up to date (「有错误 12 无法读取 3」)

    def advance(self, n: int = 1) -> None:
        self.done += n
        now = time.monotonic()
        if now - self._drawn >= self.interval and self.done < self.total:
            self._drawn = now
            self._draw(now)

    def _draw(self, now: float) -> None:
        elapsed = now - self.started
        percent = 100 * self.done // self.total if self.total else 100
        line = f"{self.label} {self.done}/{self.total}（{percent}%）"
        if self.note:
            line += f" {self.note}"
        line += f" 已用 {elapsed:.0f}秒"
        if 0 < self.done < self.total:
            line += f" 预计剩余 {elapsed / self.done * (self.total - self.done):.0f}秒"
        try:
            self.stream.write("\r" + line + "  ")
            self.stream.flush()
        except (OSError, ValueError):  # a closed or broken stderr must not stop the batch
            pass

    def close(self) -> None:
        self._draw(time.monotonic())
        try:
            self.stream.write("\n")
            self.stream.flush()
        except (OSError, ValueError):
            pass
