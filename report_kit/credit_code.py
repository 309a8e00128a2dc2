"""统一社会信用代码 (GB 32100-2015): 18 characters with a modulo-31 check character."""

from __future__ import annotations

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def check_character(first17: str) -> str:
    total = sum(CHARSET.index(ch) * weight for ch, weight in zip(first17, WEIGHTS))
    return CHARSET[(31 - total % 31) % 31]


def problem(code: str) -> str | None:
    """Why ``code`` is not a valid credit code (in Chinese), or None when it is valid."""
    normalised = code.strip().upper()
    if len(normalised) != 18:
        return f"应为18位，实际为{len(normalised)}位"
    bad = sorted({ch for ch in normalised if ch not in CHARSET})
    if bad:
        return "含有不允许的字符“" + "".join(bad) + "”（不使用I、O、Z、S、V）"
    expected = check_character(normalised[:17])
    if normalised[17] != expected:
        return f"校验位应为“{expected}”，实际为“{normalised[17]}”"
    return None
