"""Unit names turned into file names that are safe on every system the office uses.

Names come from submissions, i.e. from strangers: they may hold path separators, reserved
characters, leading dots or Windows device names, and two units may sanitise to the same
name. The output folder must never be escaped and never overwritten by a collision.
"""

from __future__ import annotations

import re
import unicodedata

# separators and characters Windows reserves; C0/C1 controls and bidi overrides (a name with
# U+202E shows 「gpj.exe」 as 「exe.jpg」 in a file manager)
RESERVED_CHARACTERS = re.compile(
    r'[\\/:*?"<>|\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]'
)
WINDOWS_DEVICES = frozenset(
    ["CON", "PRN", "AUX", "NUL"] + [f"COM{i}" for i in range(1, 10)] + [f"LPT{i}" for i in range(1, 10)]
)
MAX_LENGTH = 60
# File systems limit a name to 255 bytes (not characters): 60 CJK characters are 180 bytes in
# UTF-8, and a suffix such as 「-2.html」 or an atomic writer's temporary name must still fit.
MAX_BYTES = 180
FALLBACK = "未命名单位"


def sanitise(name: str | None, max_length: int = MAX_LENGTH, max_bytes: int = MAX_BYTES) -> str:
    """A file-name stem for ``name``: no separators, reserved characters or device names."""
    text = unicodedata.normalize("NFKC", name or "")
    text = RESERVED_CHARACTERS.sub("_", text)
    text = re.sub(r"\s+", " ", text).strip()
    text = text.lstrip(". ").rstrip(". ")
    text = text[:max_length]
    while len(text.encode("utf-8", "surrogatepass")) > max_bytes:
        text = text[:-1]
    text = text.rstrip(". ")
    if not text or set(text) <= {"_", " "}:
        text = FALLBACK
    if text.split(".")[0].strip().upper() in WINDOWS_DEVICES:
        text = "_" + text
    return text


class UniqueNames:
    """Hands out sanitised stems, suffixing ``-2``, ``-3`` … when two names collide.

    Collisions are case-insensitive because the office's Windows file systems are.
    """

    def __init__(self, max_length: int = MAX_LENGTH, max_bytes: int = MAX_BYTES) -> None:
        self._taken: set[str] = set()
        self._last: dict[str, int] = {}  # stem → last suffix handed out (10,000 equal names stay linear)
        self.max_length = max_length
        self.max_bytes = max_bytes

    def take(self, name: str | None) -> str:
        stem = sanitise(name, self.max_length, self.max_bytes)
        key = stem.casefold()
        candidate, n = stem, self._last.get(key, 1)
        if n > 1:
            candidate = f"{stem}-{n}"
        while candidate.casefold() in self._taken:
            n += 1
            candidate = f"{stem}-{n}"
        self._taken.add(candidate.casefold())
        self._last[key] = n
        return candidate
