"""Writing files whole or not at all, and checking before long work that a write can succeed.

A save goes to a temporary file beside the target, is fsynced, and is renamed over it, so a
crash leaves the old file or the new one. The rules for the target:

- it may not exist yet, or be a regular file; a folder, device, FIFO or socket is refused
  (saving to /dev/null must never replace the device);
- a symbolic link is followed: the file it points to is replaced (the link stays a link);
- an existing file keeps its permission bits; a new one gets what the umask gives any new
  file (0644 under the usual umask 022), not the temporary file's 0600.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from ..core.errors import InvalidInput, shown


def check_target(path: str | os.PathLike[str]) -> Path:
    """The file a save to `path` will write (symbolic links followed), or InvalidInput saying
    why it cannot: a folder or special file in the way, no such folder, not writable, or a
    name too long for the file system. Tries a real temporary file, so what passes here is
    what the save will meet (checked before hours of training, not after)."""
    where = f"cannot save to {shown(path)}"
    try:
        target = Path(os.path.realpath(path)) if Path(path).is_symlink() else Path(path)
        in_the_way = target.exists() and not target.is_file()
    except OSError as e:                         # a name too long for the file system
        raise InvalidInput(f"{where}: {_reason(e, Path(path))}") from None
    directory = target.parent if str(target.parent) else Path(".")
    if in_the_way:
        raise InvalidInput(f"{where}: it is {_kind(target)}, not a regular file; nudges "
                           "replaces only regular files")
    if not directory.is_dir():
        raise InvalidInput(f"{where}: folder {directory} does not exist")
    try:
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{target.name}.", suffix=".tmp")
        os.close(fd)
        os.unlink(tmp)
    except OSError as e:
        raise InvalidInput(f"{where}: {_reason(e, target)}") from None
    return target


def write_atomically(path: Path, write: Callable[[IO[bytes]], Any]) -> None:
    """Call write(file) on a temporary file beside `path`, fsync it, and rename it to `path`.

    A crash or kill at any moment leaves `path` as it was or complete, never half written
    (at worst a stray hidden .NAME.*.tmp beside it). See the module's rules for the target.
    OSError becomes InvalidInput.
    """
    target = check_target(path)
    mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else new_file_mode()
    try:
        replace_whole(target, write, mode)
    except OSError as e:
        raise InvalidInput(f"cannot save to {path}: {_reason(e, target)}") from None


def replace_whole(target: Path, write: Callable[[IO[bytes]], Any], mode: int) -> None:
    """write(file) on a unique temporary file beside target (mode `mode`), fsync'd and renamed
    to target, then the folder fsync'd; the temporary file is removed on any failure. OSError
    propagates: each caller says it in its own words."""
    directory = target.parent if str(target.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fchmod(f.fileno(), mode)
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_directory(directory)


def new_file_mode() -> int:
    """0o666 less the process's umask: the mode open() gives a new file."""
    try:
        with open("/proc/self/status") as f:
            umask = next(int(line.split()[1], 8) for line in f if line.startswith("Umask:"))
    except (OSError, StopIteration, ValueError, IndexError):
        umask = os.umask(0o22)                   # no /proc: read it by setting it back at once
        os.umask(umask)
    return 0o666 & ~umask


def fsync_directory(directory: Path) -> None:
    """Make a rename in `directory` durable (where the platform can open folders)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _kind(path: Path) -> str:
    kinds = ((path.is_dir, "a folder"), (path.is_fifo, "a FIFO"), (path.is_socket, "a socket"),
             (path.is_char_device, "a device"), (path.is_block_device, "a device"))
    return next((what for test, what in kinds if test()), "not a regular file")


def _reason(error: OSError, target: Path) -> str:
    if error.errno == 36:                        # ENAMETOOLONG
        return (f"the name is too long for this file system ({len(os.fsencode(target.name))} "
                "bytes, and saving needs room for a temporary name beside it)")
    return str(error.strerror or error)
