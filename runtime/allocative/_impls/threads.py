"""Type rules of ``_thread`` locks, which allocate a semaphore beside the object."""

from __future__ import annotations

import _thread
import sys
from typing import Final

from allocative._rule import Buffers, TypeRule, getsizeof

NATIVE_LOCK: Final = 32 if sys.platform == "linux" else 0
"""The semaphore a ``_thread`` lock allocates beside its object (a glibc ``sem_t``, from
``PyMem_RawMalloc``), which ``getsizeof`` does not report: 32 bytes on 64-bit Linux with
CPython 3.11 to 3.13, where the tests pin it; elsewhere locks have no rule of their own."""


def _lock_size(value: object) -> int:
    return getsizeof(value) + NATIVE_LOCK


def _lock_buffers(value: object) -> tuple[int, ...]:
    return (NATIVE_LOCK,)


RULES: Final[dict[type, TypeRule]] = (
    {
        _thread.LockType: TypeRule("lock", _lock_size),
        _thread.RLock: TypeRule("RLock", _lock_size),
    }
    if NATIVE_LOCK
    else {}
)
BUFFERS: Final[dict[type, Buffers]] = {
    _thread.LockType: _lock_buffers,
    _thread.RLock: _lock_buffers,
}
