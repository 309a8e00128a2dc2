"""The operating system's refusals in Chinese words, for every message a user reads.

``OSError.strerror`` is English ("Permission denied"); a clerk needs to know what to do.
One table, used by every command and writer that touches the disk.
"""

from __future__ import annotations

import errno

REASONS = {
    errno.ENOENT: "文件或文件夹不存在",
    errno.EACCES: "没有读写权限",
    errno.EPERM: "没有读写权限",
    errno.EROFS: "磁盘为只读",
    errno.ENOSPC: "磁盘空间不足",
    errno.EISDIR: "这是一个文件夹，不是文件",
    errno.ENOTDIR: "路径中有一段是同名文件，不是文件夹",
    errno.EEXIST: "已有同名的文件或文件夹",
    errno.ENAMETOOLONG: "文件名或路径过长",
    errno.EBUSY: "文件正被其他程序占用",
    errno.EPIPE: "接收输出的程序已关闭",
    errno.EXDEV: "不能跨磁盘移动文件",
}


def os_reason(exc: OSError) -> str:
    """The refusal in Chinese; an unlisted one names its error number."""
    return REASONS.get(exc.errno, f"操作系统错误{exc.errno or type(exc).__name__}")
