"""Write an output file (a report, a label sheet, an export) all at once or not at all.

A report written straight to its name and cut short — a full disk, a USB stick pulled out, Ctrl+C — leaves a damaged
file that looks like the report, and an older good copy under that name is already gone. :func:`replacing` hands the
writer a temporary file beside the target (same folder, so same disk) and only when the writer has finished it is
flushed to disk and renamed over the target in one step; on any failure the temporary file is removed and whatever
was at the target before is untouched.
"""

from __future__ import annotations

import errno
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A temporary path (same folder and suffix as ``path``) that becomes ``path`` when the block succeeds.

    The folder is created if needed. An :class:`OSError` about the temporary file names ``path`` instead, so a
    message built from it tells the user the file they asked for.
    """
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    try:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except FileExistsError:  # a file where a folder of the path should be: "File exists" says nothing
            raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(path)) from None
        # The suffix stays last: writers choose the format by it (``.pdf``, ``.xlsx``, ``.csv``).
        temporary = path.with_name(f".{path.stem}.{secrets.token_hex(4)}.part{path.suffix}")
        os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    except OSError as exc:
        raise _about(exc, path) from exc
    try:
        yield temporary
        with temporary.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise _about(exc, path) from exc
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _about(exc: OSError, path: Path) -> OSError:
    """``exc`` naming ``path`` (not the temporary file it happened to)."""
    if exc.errno is None:
        return exc
    return type(exc)(exc.errno, exc.strerror or os.strerror(exc.errno), str(path))
