"""Writing outputs so that an interrupted run leaves the old file or the new, never half."""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike, *, private: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; it replaces ``target`` only on success.

    The file gets the mode any new file gets (0666 minus the umask), like the outputs of every
    other program: mkstemp's 0600 is kept only for ``private`` files (the secret upload links)."""
    target = Path(target)
    if target.exists() and not target.is_file() and not target.is_dir():
        yield target  # a device or pipe (/dev/null, /dev/full): written in place, never replaced
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(handle)
    temp = Path(temp_name)
    try:
        yield temp
        if not private and temp.exists():
            usual_permissions(temp)
        os.replace(temp, target)
    finally:
        if temp.exists():
            temp.unlink()


def write_bytes(target: str | os.PathLike, data: bytes, *, private: bool = False) -> None:
    with atomic_path(target, private=private) as temp:
        temp.write_bytes(data)


def write_text(target: str | os.PathLike, text: str, encoding: str = "utf-8") -> None:
    write_bytes(target, text.encode(encoding))


def usual_permissions(path: str | os.PathLike) -> None:
    """Give a file made by ``atomic_path`` (mkstemp: 0600) the mode a new file normally gets
    (0666 minus the umask): reports and web pages are meant to be shared and published."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, 0o666 & ~umask)


def same_file(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    """Whether two paths name the same file, existing or not: an output must never replace
    an input (``-o 填报.yaml``), whatever spelling of the path the user typed."""
    try:
        if os.path.exists(a) and os.path.exists(b):
            return os.path.samefile(a, b)
    except OSError:
        pass
    return os.path.normcase(os.path.abspath(a)) == os.path.normcase(os.path.abspath(b))


def exchange(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    """Swap two paths in one step (Linux ``renameat2(RENAME_EXCHANGE)``): a folder published
    this way is wholly old or wholly new, whenever the process is killed. False where the
    system or file system cannot (the caller then falls back to renames)."""
    import ctypes
    import sys

    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    error = ctypes.get_errno()
    if error in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(error, os.strerror(error), os.fspath(a))
