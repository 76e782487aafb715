"""What an operating-system error on a file means, in the user's language.

``strerror`` is the system's English ("No space left on device"); a Chinese message built around it reads as a
mixture, so the errors a user meets with files (missing, a folder, no permission, a full or read-only disk, a USB
stick pulled out) have their own words here. Rare ones keep the system's wording.
"""

from __future__ import annotations

import errno

from inspector.i18n import register, t

register(
    {
        "os.ENOENT": ("文件或文件夹不存在", "no such file or folder"),
        "os.EACCES": ("没有读写权限", "permission denied"),
        "os.ENOSPC": ("磁盘已满", "the disk is full"),
        "os.EDQUOT": ("磁盘配额已用完", "the disk quota is used up"),
        "os.EROFS": ("磁盘是只读的", "the disk is read-only"),
        "os.EISDIR": ("这是一个文件夹，不是文件", "it is a folder, not a file"),
        "os.ENOTDIR": ("路径中有一段不是文件夹", "part of the path is not a folder"),
        "os.EIO": (
            "读写出错（磁盘或 U 盘可能已损坏或已拔出）",
            "input/output error (the disk or USB stick may be damaged or removed)",
        ),
        "os.ENAMETOOLONG": ("文件名太长", "the file name is too long"),
    }
)

_ERRNO_KEYS = {
    errno.ENOENT: "os.ENOENT",
    errno.EACCES: "os.EACCES",
    errno.EPERM: "os.EACCES",
    errno.ENOSPC: "os.ENOSPC",
    errno.EDQUOT: "os.EDQUOT",
    errno.EROFS: "os.EROFS",
    errno.EISDIR: "os.EISDIR",
    errno.ENOTDIR: "os.ENOTDIR",
    errno.EIO: "os.EIO",
    errno.ENAMETOOLONG: "os.ENAMETOOLONG",
}


def os_reason(exc: OSError, lang: str) -> str:
    """What an operating-system error means, in ``lang`` (the system's own wording for rare ones)."""
    key = _ERRNO_KEYS.get(exc.errno or 0)
    return t(key, lang) if key else (exc.strerror or str(exc))
