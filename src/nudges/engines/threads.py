"""How many threads the matrix products may use, chosen per kind of work, so that a busy machine
cannot make training collapse.

OpenBLAS's threads spin while they wait for work. Two trainings at once, each with one thread
per core, or one beside another busy program, leave those threads waiting on each other: on a
2-core machine an epoch of 0.16 s became 4-8 s (issue 22). A product of a mini-batch (10-100
rows) gains little or nothing from a second thread even on an idle machine, so:

- products of fewer than LARGE multiply-adds (a training step's, every preset's) run on one
  thread;
- larger ones (evaluation in chunks of 10,000 rows, 784-100-10 at batch 1,000) take one more than
  the cores the 1-minute load average leaves free, and never more than the cores we may use.

The user's choice wins: with OPENBLAS_NUM_THREADS, OMP_NUM_THREADS or MKL_NUM_THREADS set, or
inside `pinned(n)` (the CLI's --threads, the server's worker threads, a sweep's trials), this
module changes nothing. The limits go through threadpoolctl, which reaches every BLAS and OpenMP
library loaded (NumPy's OpenBLAS, and SciPy's, which the compiled engine's products use; numba's
OpenMP layer); without threadpoolctl (numpy is the only core dependency) nothing is changed.
nudges' compiled loops are serial, so numba starts no threads of its own for them.
threadpoolctl lets one Python thread at a time change a shared OpenBLAS pool (the first to set
a limit, while it lives; the others' requests are ignored): the server pins from its event
loop's thread, the main thread under `nudges serve`.

Rounding: a step below LARGE always runs on one thread, so the same seed gives the same run
whatever the load; for larger batches the count (and so possibly the last bits) follows the
load, and an explicit count (--threads, OPENBLAS_NUM_THREADS) makes such runs bit-exact again.
"""

from __future__ import annotations

import functools
import os
import sys
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any

from ..core.errors import InvalidInput

LARGE = 50_000_000          # multiply-adds in one product from which a second thread may pay;
#                             above every preset's step (best: 100 × 784 × 400 = 3.1e7)
VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")

_LOCK = threading.Lock()
_pins: list[Any] = []       # the limiter of the outermost pinned() block, while one is open


@dataclass(frozen=True)
class Machine:
    """What the choice depends on: the cores this process may use and the 1-minute load."""

    cores: int
    load: float

    @classmethod
    def now(cls) -> Machine:
        """This machine, as the operating system reports it now."""
        try:
            cores = len(os.sched_getaffinity(0))
        except AttributeError:                                     # macOS, Windows
            cores = os.cpu_count() or 1
        try:
            load = os.getloadavg()[0]
        except (AttributeError, OSError):                         # Windows
            load = 0.0
        return cls(cores, load)


def choose(rows: int, sizes: Sequence[int], machine: Machine) -> int:
    """Threads for products of `rows` rows through layers `sizes`: 1 below LARGE multiply-adds
    in the largest product, else 1 + the cores the load leaves free, at most machine.cores."""
    work = rows * max(n_in * n_out for n_in, n_out in zip(sizes, sizes[1:]))
    if work < LARGE:
        return 1
    free = int(machine.cores - machine.load + 0.5)
    return max(1, min(machine.cores, 1 + free))


def explicit(environ: Mapping[str, str] | None = None) -> int | None:
    """The thread count the user set in the environment (VARIABLES, first found), or None."""
    environ = os.environ if environ is None else environ
    for name in VARIABLES:
        value = environ.get(name, "").strip()
        if value.isdigit() and int(value) >= 1:
            return int(value)
    return None


@contextmanager
def limited(rows: int, sizes: Sequence[int], machine: Machine | None = None
            ) -> Iterator[int | None]:
    """BLAS threads chosen for this work during the block, the previous limits restored after.

    Yields the count set, or None where nothing was changed: the user chose (explicit(), or a
    pinned() block is open) or threadpoolctl is not installed.
    """
    limits = _threadpoolctl()
    if limits is None or _pins or explicit() is not None:
        yield None
        return
    n = choose(rows, sizes, machine or Machine.now())
    with limits(limits=n):
        yield n


@contextmanager
def pinned(n: int | None) -> Iterator[None]:
    """Every BLAS and OpenMP library of the process on n threads until the block ends, and
    limited() a no-op inside it. None: as the environment says, or 1 when it says nothing.

    For a process whose threads all train (the server's, a Dask worker's): limits are process
    wide, so they are set once. Blocks may nest or overlap in several threads: the first to
    open sets the limits, the last to close restores them."""
    if n is not None and (int(n) != n or n < 1):
        raise InvalidInput(f"threads must be an integer >= 1, got {n!r}")
    count = n if n is not None else explicit() or 1
    limits = _threadpoolctl()
    with _LOCK:
        _pins.append(None if limits is None or _pins else limits(limits=count))
    try:
        yield
    finally:
        with _LOCK:
            limiter = _pins.pop()                    # only the first holds a limiter
        if limiter is not None:
            limiter.restore_original_limits()


def flag(n: int | None) -> AbstractContextManager[None]:
    """The CLI's --threads N: pinned(N), or the automatic choice (limited) where not given."""
    return nullcontext() if n is None else pinned(n)


def _threadpoolctl() -> Any:
    """A function that limits BLAS threads (threadpoolctl's, of a controller made once while
    no module has been imported since), or None where threadpoolctl is not installed.

    The compiled engine's products go through SciPy's BLAS, which numba loads at its first
    call; it is loaded here first, where numba is in use, so that the limits reach it too."""
    try:
        import threadpoolctl  # noqa: F401
    except ImportError:
        return None
    if "numba" in sys.modules:
        try:
            import scipy.linalg.cython_blas  # noqa: F401
        except ImportError:
            pass
    return _controller(len(sys.modules)).limit


@functools.lru_cache(maxsize=1)
def _controller(modules: int) -> Any:
    """threadpoolctl's view of the loaded BLAS and OpenMP libraries, for as long as no module
    is imported (a new one may load a library): making it lists every loaded library, 0.25 ms
    that an epoch's limited() would otherwise pay twice."""
    from threadpoolctl import ThreadpoolController
    return ThreadpoolController()
