"""Files and folders only the service account may read.

The instance folder holds the SQLite database (password hashes, contact data), uploaded
spreadsheets, rejection reports, backups and the secret key. Under the usual umask 022 they
came out 0644 (readable by every local user). Everything the app creates there goes through
these helpers: folders 0700, files 0600, whatever the umask, on first start and on restore.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import IO

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: Path, *, tighten: bool = True) -> Path:
    """Create `path` and its missing parents as 0700. An existing `path` is tightened to 0700
    too, unless `tighten` is off (a folder the user chose, such as a backup's destination)."""
    path = Path(path)
    missing = [p for p in (path, *path.parents) if not p.exists()]
    for folder in reversed(missing):        # mkdir's mode is masked by the umask: chmod too
        folder.mkdir(mode=DIR_MODE, exist_ok=True)
        os.chmod(folder, DIR_MODE)
    if tighten and not missing and path.stat().st_mode & 0o777 != DIR_MODE \
            and path.stat().st_uid == os.geteuid():
        os.chmod(path, DIR_MODE)
    return path


def private_file(path: Path) -> Path:
    """Create an empty `path` as 0600, or tighten an existing file of ours to 0600."""
    path = Path(path)
    if path.exists():
        if path.stat().st_mode & 0o777 != FILE_MODE and path.stat().st_uid == os.geteuid():
            os.chmod(path, FILE_MODE)
        return path
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
    finally:
        os.close(fd)
    return path


def private_sqlite(path: Path) -> Path:
    """The SQLite database file (created empty if missing: an empty file is an empty database)
    and its journal files, 0600. SQLite gives new -wal/-shm files the database file's mode."""
    private_dir(Path(path).parent, tighten=False)
    private_file(path)
    for suffix in ("-wal", "-shm", "-journal"):
        if Path(f"{path}{suffix}").exists():
            private_file(Path(f"{path}{suffix}"))
    return Path(path)


def open_private(path: Path, mode: str = "wb", **kwargs) -> IO:
    """`open(path, mode)` for writing, creating the file 0600 (an existing one is tightened)."""
    def opener(name, flags):
        fd = os.open(name, flags, FILE_MODE)
        os.fchmod(fd, FILE_MODE)
        return fd
    return open(path, mode, opener=opener, **kwargs)


def copy_private(src: Path, dest: Path) -> Path:
    """Copy a file's bytes into a new 0600 file."""
    with open(src, "rb") as fin, open_private(dest, "wb") as fout:
        shutil.copyfileobj(fin, fout, 1 << 20)
    return Path(dest)
