"""Resident memory of a server process: glibc keeps memory that Python has freed (the warm-up's
temporary tables, a compressor's buffers) unless asked to give it back. Nothing happens where
the C library is not glibc."""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import os


@functools.cache
def _libc():
    """The C library where it is glibc (malloc_trim, mallopt), else None."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    return libc if libc is not None and hasattr(libc, "malloc_trim") else None


def release_free_memory() -> None:
    """Give the memory that the warm-up's temporary tables freed back to the system (glibc's
    malloc_trim): Python frees it to the C allocator, which otherwise keeps it. Nothing where
    there is no glibc."""
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)


def limit_malloc_arenas(arenas: int = 2) -> None:
    """At most `arenas` glibc malloc arenas (as MALLOC_ARENA_MAX=2): the development server
    answers each request on a thread of its own, and each thread may otherwise get an arena
    that keeps its freed memory, ~10 MB more resident memory after a few pages. Call before
    threads start; nothing where there is no glibc."""
    libc = _libc()
    if libc is not None and not os.environ.get("MALLOC_ARENA_MAX"):
        libc.mallopt(-8, arenas)  # M_ARENA_MAX
