"""Worker processes for a run's jobs: the check's files and the render's documents.

A job's work function runs in worker processes, each set up once, when there
are enough jobs for the workers to pay off; otherwise in this process, set up
the same way. Results come back in the jobs' order either way, so what a run
produces does not depend on how many workers it had.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

J = TypeVar("J")
R = TypeVar("R")


def default_jobs() -> int:
    """The cores this process may use (a container or taskset may allow fewer than exist)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def in_workers(jobs: int, count: int, threshold: int) -> bool:
    """Whether ``count`` jobs go to worker processes: from ``threshold`` jobs on, below
    which starting the workers costs more than they save."""
    return jobs > 1 and count >= threshold


def start_worker(
    setup: Callable[..., None], args: tuple[Any, ...], collect_less: bool = True
) -> None:
    """Set up a worker process: ``setup(*args)``, then its garbage collection tuned."""
    setup(*args)
    # What the worker was set up with (and, forked, inherited) lives for good: its
    # collections need not walk it (walking it would also copy every page of it into
    # the worker).
    gc.freeze()
    if collect_less:
        # A check's job leaves no garbage but its own objects, which die with its
        # result: collecting cycles less often makes a worker about a tenth faster.
        # (A document's job leaves more, which then would pile up: not for render.)
        gc.set_threshold(20_000, 10, 10)


@contextmanager
def mapped(
    work: Callable[[J], R],
    todo: Sequence[J],
    jobs: int,
    *,
    threshold: int,
    chunk: int,
    setup: Callable[..., None],
    args: tuple[Any, ...] = (),
    collect_less: bool = True,
) -> Iterator[Iterable[R]]:
    """``work`` over ``todo``, in order, as the results come: in ``jobs`` worker processes
    (``chunk`` jobs a task, each worker set up by ``setup(*args)``) when ``in_workers``
    says so, else in this process after ``setup(*args)`` here. The workers end with
    the context."""
    if not in_workers(jobs, len(todo), threshold):
        setup(*args)
        yield map(work, todo)
        return
    from concurrent.futures import ProcessPoolExecutor  # 20 ms: only when used

    with ProcessPoolExecutor(
        max_workers=jobs, initializer=start_worker, initargs=(setup, args, collect_less)
    ) as pool:
        yield pool.map(work, todo, chunksize=chunk)
