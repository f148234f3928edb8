"""Write an ``__allocative__`` method into every class marked ``@allocative``.

Usage: allocative-gen [--check | --diff] [-j N] [--no-cache] [--traceback] PATH...

Searches PATHs (files and folders, recursively) for .py files, skipping .git,
virtual environments and the globs in ``exclude`` of ``[tool.allocative]``
in the nearest pyproject.toml. Files that needed no change are remembered in
.allocative_cache (beside the nearest pyproject.toml, or $ALLOCATIVE_CACHE_DIR)
and not parsed again while they and every file their bases were read from stay
the same. Exit status: 0 nothing to change, 1 something was changed (or would
be, with --check or --diff), 2 an error (other files are still processed).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from allocative_gen.cache import Cache
    from allocative_gen.outcome import FileOutcome

EXIT_OK: Final = 0
EXIT_CHANGED: Final = 1
EXIT_ERROR: Final = 2
_PARALLEL_MIN_FILES: Final = 8


def parser() -> argparse.ArgumentParser:
    """The command-line parser; its description is this module's docstring."""
    result = argparse.ArgumentParser(
        prog="allocative-gen",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    result.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files or folders")
    mode = result.add_mutually_exclusive_group()
    mode.add_argument(
        "--check", action="store_true", help="write nothing; report what would change"
    )
    mode.add_argument("--diff", action="store_true", help="write nothing; print a unified diff")
    result.add_argument(
        "-j", "--jobs", type=int, default=1, metavar="N", help="process files in N processes"
    )
    result.add_argument(
        "--no-cache",
        action="store_true",
        help="a cold run: neither read nor write the cache of files that needed no change",
    )
    result.add_argument(
        "--traceback",
        action="store_true",
        help="print the traceback of an internal error (a bug in allocative-gen)",
    )
    return result


def main(argv: Sequence[str] | None = None) -> int:
    """Run allocative-gen on the command line's paths and return the exit status."""
    arguments = parser().parse_args(argv)
    try:
        from allocative_gen.files import ConfigError, python_files
    except ImportError as error:  # pragma: no cover - depends on the installation
        print(
            f"allocative-gen: {error}; install it with: pip install 'allocative[gen]'",
            file=sys.stderr,
        )
        return EXIT_ERROR
    try:
        files = list(python_files(arguments.paths))
    except ConfigError as error:
        print(error, file=sys.stderr)
        return EXIT_ERROR
    write = not (arguments.check or arguments.diff)
    missing = [path for path in arguments.paths if not path.exists()]
    status = EXIT_OK
    for path in missing:
        print(f"{path}:1: no such file or folder; check the path", file=sys.stderr)
        status = EXIT_ERROR
    from allocative_gen.cache import Cache, folder

    cache = Cache(None if arguments.no_cache else folder())
    for outcome in _cached_outcomes(files, write, arguments.diff, arguments.jobs, cache):
        status = _report(outcome, status, arguments.traceback)
    cache.save()
    return status


def _cached_outcomes(
    files: list[Path], write: bool, diff: bool, jobs: int, cache: Cache
) -> Iterator[FileOutcome]:
    """Every file's outcome, in the files' order: from the cache where it still holds (a
    file without a marked class needs no cache: it is not parsed), else processed and
    cached when it needed no change."""
    from allocative_gen.cache import Entry
    from allocative_gen.lookups import FileSystem, digest
    from allocative_gen.outcome import MARKER_BYTES, FileOutcome

    answers = FileSystem()
    known: dict[Path, FileOutcome] = {}
    for path in files:
        try:
            data = path.read_bytes()
        except OSError:
            continue  # processing reports it
        if MARKER_BYTES not in data:
            known[path] = FileOutcome(path)
            continue
        entry = cache.lookup(path, digest(data), answers)
        if entry is not None:
            messages = [f"{path}:{message}" for message in entry.messages]
            known[path] = FileOutcome(path, error=entry.error, messages=messages)
    rest = [path for path in files if path not in known]
    processed = dict(zip(rest, _outcomes(rest, write, diff, jobs), strict=True))
    for path in files:
        outcome = known.get(path) or processed[path]
        if outcome.record is not None and outcome.digest is not None:
            prefix = len(f"{path}:")
            kept = tuple(message[prefix:] for message in outcome.messages)
            cache.store(path, Entry(outcome.digest, kept, outcome.error, outcome.record))
        yield outcome


def _outcomes(files: list[Path], write: bool, diff: bool, jobs: int) -> Iterator[FileOutcome]:
    """Process every file, in ``jobs`` processes when there are enough files to share.

    Outcomes come in the files' order. Every file gets one: a batch whose worker process
    died is reported file by file, never dropped.
    """
    if not files:
        return
    from allocative_gen.process import process_file
    from allocative_gen.project import ModuleIndex

    if jobs <= 0:
        jobs = os.cpu_count() or 1
    if jobs == 1 or len(files) < _PARALLEL_MIN_FILES:
        index = ModuleIndex()
        yield from (process_file(path, write, diff, index) for path in files)
        return
    size = max(1, len(files) // (jobs * 4))
    batches = [files[start : start + size] for start in range(0, len(files), size)]
    with ProcessPoolExecutor(max_workers=jobs) as executor:
        futures = [executor.submit(_worker, batch, write, diff) for batch in batches]
        for batch, future in zip(batches, futures, strict=True):
            try:
                outcomes = future.result()
            except Exception as error:  # the worker died: the batch has no outcomes
                outcomes = [_worker_failed(path, error) for path in batch]
            yield from outcomes


_WORKER_INDEX: list[object] = []


def _worker(paths: list[Path], write: bool, diff: bool) -> list[FileOutcome]:
    """Process a batch of files in a worker process, sharing parsed bases within the worker."""
    from allocative_gen.process import process_file
    from allocative_gen.project import ModuleIndex

    if not _WORKER_INDEX:
        _WORKER_INDEX.append(ModuleIndex())
    index = _WORKER_INDEX[0]
    assert isinstance(index, ModuleIndex)
    return [process_file(path, write, diff, index) for path in paths]


def _worker_failed(path: Path, error: BaseException) -> FileOutcome:
    from allocative_gen.outcome import FileOutcome

    message = (
        f"{path}:1: internal error: the worker process handling this file failed "
        f"({type(error).__name__}: {error}), so it may or may not have been rewritten; "
        "rerun allocative-gen on it, and report this bug in allocative-gen"
    )
    return FileOutcome(path, error=True, messages=[message])


def _report(outcome: FileOutcome, status: int, show_tracebacks: bool) -> int:
    """Print one file's messages and diff; fold its result into the exit status."""
    for message in outcome.messages:
        print(message, file=sys.stderr)
    if show_tracebacks:
        for text in outcome.tracebacks:
            sys.stderr.write(text)
    if outcome.diff:
        sys.stdout.write(outcome.diff)
    if outcome.error:
        return EXIT_ERROR
    if outcome.changed and status == EXIT_OK:
        return EXIT_CHANGED
    return status


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
