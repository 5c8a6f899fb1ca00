"""Warm Jupyter kernels that execute one notebook after another, the papermill way.

Starting a kernel and importing pandas, seaborn and impactlib costs seconds; a batch of 26
worked examples paid that 26 times. A :class:`KernelWorker` starts one kernel, imports once,
and then runs notebook after notebook in it through papermill itself — the same parameter
injection (an ``injected-parameters`` cell after the cell tagged ``parameters``), the same
cell metadata and, when a cell fails, the same error cell and :class:`PapermillExecutionError`.
:func:`pooled` runs a list of tasks on N such workers, each in its own thread.

Between two notebooks the worker gives the kernel a fresh start without a new process:

- a fresh namespace, execution count and history (``reset(new_session=True)``); imported
  modules and impactlib's caches stay warm;
- what survives that reset is frozen for the garbage collector (``gc.freeze()``): modules,
  caches and warm-up stay alive anyway, and the collector no longer walks them again and again
  during the next notebook (measured: the kernels of a 25-region batch took 63 instead of 70 CPU-s);
- both are sent as soon as a notebook is done (:data:`CLEAN`), so the kernel cleans up while
  this process writes the notebook's HTML; before the next notebook the worker collects the
  answer and sends this process's working folder, ``IMPACTMONITOR_*`` variables and data
  settings, so the notebook sees what a freshly started kernel would see.

A notebook that raises leaves a healthy kernel behind. A kernel that died, ran past the
cell timeout or failed in any other way is replaced by a new one before the next notebook,
so one bad region never takes the others down. The executed notebook of a crash is still
written to the output path, as papermill does for a failing cell.

A batch's kernels can start before the batch is known (:func:`start_early`): the command line
launches them first thing for ``run --all-regions``, and they boot and import while the
command line still loads pandas, nbconvert and the regions (this module imports papermill
only when a notebook runs). The next :func:`pooled` takes them; :func:`discard_early` stops
the ones nobody took.
"""

from __future__ import annotations

import atexit
import os
import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict
from typing import TypeVar

from jupyter_core.utils import run_sync

from .. import errors, settings

__all__ = ["KernelWorker", "pooled", "start_early", "discard_early", "default_size", "ENGINE", "KERNEL"]

ENGINE = "impactmonitor-pool"
KERNEL = "python3"
#: Quiet kernels; history in memory (several kernels at once must not share one sqlite file).
KERNEL_ARGUMENTS = ("--log-level=CRITICAL", "--HistoryManager.hist_file=:memory:")
#: What every worker imports once, right after its kernel started.
WARM_UP = "import pandas, seaborn, matplotlib\nfrom impactlib import compare, plots, query, steps\n"
START_TIMEOUT = 60.0
ENV_PREFIX = "IMPACTMONITOR_"

T = TypeVar("T")
R = TypeVar("R")


_engine_lock = threading.Lock()
_engine_registered = False


def _registered_engine() -> None:
    """Register :data:`ENGINE` with papermill, once: papermill is imported when the first
    notebook runs, not when a batch's kernels start."""
    global _engine_registered
    with _engine_lock:
        if not _engine_registered:
            _register_engine()
            _engine_registered = True


def _register_engine() -> None:
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines

    class _PooledClient(PapermillNotebookClient):
        """Papermill's client on a kernel that is already running (and stays running)."""

        def execute(self, **kwargs):
            self.reset_execution_trackers()
            self.papermill_execute_cells()
            info = self.wait_for_reply(self.kc.kernel_info())
            self.nb.metadata["language_info"] = info["content"]["language_info"]
            self.set_widgets_metadata()
            return self.nb

    class PooledEngine(NBClientEngine):
        """A papermill engine that executes on ``worker``'s kernel instead of starting one."""

        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None, stderr_file=None,
                                     start_timeout=START_TIMEOUT, execution_timeout=None, worker=None, **kwargs):
            worker.current = nb_man.nb
            client = _PooledClient(
                nb_man, km=worker.km, kernel_name=kernel_name, timeout=execution_timeout,
                startup_timeout=start_timeout, log_output=log_output, stdout_file=stdout_file, stderr_file=stderr_file,
            )
            client.kc = worker.kc
            return client.execute()

    papermill_engines.register(ENGINE, PooledEngine)


#: Kernel code run (silently) after each notebook, while this process writes its HTML: a fresh
#: namespace, execution count and history, and what is left frozen for the garbage collector.
CLEAN = (
    "get_ipython().reset(new_session=True)\n"  # ends with a full collection: what is left lives on
    "__import__('gc').freeze()\n"  # no name left in the fresh namespace
)


def _preparation(cwd: str) -> str:
    """Kernel code run (silently) before each notebook: this process's folder, environment and
    settings, in a function of its own so the fresh namespace keeps no name of it."""
    env = {k: v for k, v in os.environ.items() if k.startswith(ENV_PREFIX)}
    return (
        "def _impactmonitor_prepare():\n"
        "    import os\n"
        "    from impactlib import settings\n"
        "    from impactlib.notes import print_notes\n"
        f"    os.chdir({cwd!r})\n"
        f"    for key in [k for k in os.environ if k.startswith({ENV_PREFIX!r})]:\n"
        "        del os.environ[key]\n"
        f"    os.environ.update({env!r})\n"
        "    print_notes()\n"
        f"    settings.configure(**{asdict(settings.current())!r})\n"
        "_impactmonitor_prepare()\n"
        "del _impactmonitor_prepare\n"
    )


class KernelWorker:
    """One kernel, started on first use and reused for every notebook; use it from one thread.

    >>> with KernelWorker() as worker:                                       # doctest: +SKIP
    ...     nb = worker.execute("in.ipynb", "out.ipynb", {"region": "Drenthe"})
    """

    def __init__(self, kernel_name: str = KERNEL, *, warm_up: str = WARM_UP, start_timeout: float = START_TIMEOUT):
        self.kernel_name = kernel_name
        self.warm_up = warm_up
        self.start_timeout = start_timeout
        self.km = None
        self.kc = None
        self.current = None  # the notebook being executed (kept if the kernel crashes)
        self.starts = 0  # kernels started so far (a replaced kernel counts again)
        self._healthy = False
        self._start_error: errors.KernelStartError | None = None
        #: set once the kernel's process was launched (or could not be): :func:`start_early` waits for it
        self.launched = threading.Event()
        self._cleaning: str | None = None  # the message id of a :data:`CLEAN` sent and not yet answered

    # -- kernel life ------------------------------------------------------------------
    def start(self) -> "KernelWorker":
        """Start the kernel (if it is not running) and import :data:`WARM_UP` in it."""
        try:
            return self._start()
        finally:
            self.launched.set()  # also when there is nothing to launch, or the launch failed

    def _start(self) -> "KernelWorker":
        if self.km is not None:
            return self
        if self._start_error is not None:  # do not wait for a broken installation 26 times
            raise self._start_error
        from jupyter_client.manager import AsyncKernelManager

        km = AsyncKernelManager(kernel_name=self.kernel_name)
        try:
            run_sync(km.start_kernel)(extra_arguments=list(KERNEL_ARGUMENTS))
            self.launched.set()  # the process runs: what follows (boot, warm-up) needs no GIL of ours
            kc = km.client()
            kc.start_channels()
            run_sync(kc.wait_for_ready)(timeout=self.start_timeout)
        except Exception as exc:  # noqa: BLE001 - no kernel, no notebooks: one clear error
            self._stop(km, None)
            reason = (str(exc).strip().splitlines() or [exc.__class__.__name__])[0]
            self._start_error = errors.KernelStartError(
                f"Jupyter-kernel '{self.kernel_name}' start niet ({reason}); installeer het project opnieuw "
                "met 'pip install -e .'."
            )
            raise self._start_error from None
        kc.allow_stdin = False
        self.km, self.kc, self._healthy = km, kc, True
        self.starts += 1
        if self.warm_up:
            self._quietly(self.warm_up)
        return self

    def shutdown(self) -> None:
        km, kc, self.km, self.kc, self._healthy = self.km, self.kc, None, None, False
        self._cleaning = None
        if km is not None:
            self._stop(km, kc)

    @staticmethod
    def _stop(km, kc) -> None:
        try:
            if kc is not None:
                kc.stop_channels()
            if run_sync(km.is_alive)():
                run_sync(km.shutdown_kernel)(now=True)
            else:
                run_sync(km.cleanup_resources)()
        except Exception:  # noqa: BLE001 - a kernel that is gone already is fine
            pass

    def __enter__(self) -> "KernelWorker":
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()

    def _quietly(self, code: str) -> None:
        """Run setup code without output, history or execution count."""
        try:
            reply = run_sync(self.kc.execute_interactive)(
                code, silent=True, store_history=False, allow_stdin=False, timeout=self.start_timeout,
                output_hook=lambda msg: None,
            )
        except Exception as exc:  # noqa: BLE001 - e.g. a timeout: the kernel is of no use now
            self._healthy = False
            raise errors.KernelStartError(f"De Jupyter-kernel reageert niet ({exc.__class__.__name__}); probeer het opnieuw.") from None
        content = reply.get("content", {})
        if content.get("status") != "ok":
            self._healthy = False
            raise errors.KernelStartError(f"Voorbereiden van de Jupyter-kernel mislukte ({content.get('ename')}: "
                                   f"{content.get('evalue')}); installeer het project opnieuw met 'pip install -e .'.")

    def _clean_soon(self) -> None:
        """Send :data:`CLEAN` without waiting: the kernel cleans up while this process writes the
        notebook's HTML (:meth:`ready` collects the answer)."""
        try:
            self._cleaning = self.kc.execute(CLEAN, silent=True, store_history=False, allow_stdin=False)
        except Exception:  # noqa: BLE001 - a kernel that takes no message is replaced by ready()
            self._healthy = False

    def _cleaned(self) -> bool:
        """Wait for the answer to the :data:`CLEAN` sent after the last notebook; False if it failed."""
        msg_id, self._cleaning = self._cleaning, None
        try:
            while True:
                reply = run_sync(self.kc.get_shell_msg)(timeout=self.start_timeout)
                if reply.get("parent_header", {}).get("msg_id") == msg_id:
                    return reply.get("content", {}).get("status") == "ok"
        except Exception:  # noqa: BLE001 - no answer in time: the kernel is of no use now
            return False

    def ready(self) -> None:
        """A live, healthy kernel prepared for the next notebook (replaced if need be)."""
        cleaned = False  # the namespace is fresh: the CLEAN sent after the last notebook succeeded
        if self._cleaning is not None:
            cleaned = self._cleaned()
            self._healthy = self._healthy and cleaned
        if self.km is not None and not (self._healthy and run_sync(self.km.is_alive)()):
            self.shutdown()
        if self.km is None:
            self.start()
            cleaned = False
        if not cleaned:  # a new kernel (its warm-up names), or a clean that was not sent
            self._quietly(CLEAN)
        self._quietly(_preparation(os.getcwd()))

    # -- notebooks --------------------------------------------------------------------
    def execute(self, input_path, output_path, parameters: dict, *, timeout: float | None = None):
        """Execute ``input_path`` with ``parameters`` like ``papermill.execute_notebook``.

        Raises :class:`PapermillExecutionError` when a cell fails (the notebook with the error
        is written to ``output_path``); any other failure (kernel died, timeout) also marks
        the kernel for replacement and writes what was executed so far.
        """
        import papermill as pm
        from papermill.exceptions import PapermillExecutionError
        from papermill.iorw import write_ipynb

        _registered_engine()
        self.ready()
        self.current = None
        try:
            nb = pm.execute_notebook(
                str(input_path), str(output_path), parameters=parameters, engine_name=ENGINE,
                kernel_name=self.kernel_name, progress_bar=False, log_output=False,
                request_save_on_cell_execute=False, execution_timeout=timeout, worker=self,
            )
            self._clean_soon()
            return nb
        except PapermillExecutionError:
            self._clean_soon()
            raise
        except BaseException:
            self._healthy = False
            if self.current is not None:
                try:
                    write_ipynb(self.current, str(output_path))
                except Exception:  # noqa: BLE001 - keeping the partial notebook is a courtesy
                    pass
            raise


def default_size() -> int:
    """The processor cores this process may use (at least 1): a batch's kernels by default."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not on every platform
        return max(1, os.cpu_count() or 1)


def _serve(worker: KernelWorker, todo: queue.SimpleQueue, done: queue.SimpleQueue, work: Callable) -> None:
    """Take tasks until none is left, each ``work(task, worker)``; then stop the kernel."""
    try:
        while True:
            try:
                task = todo.get_nowait()
            except queue.Empty:
                return
            try:
                done.put((True, work(task, worker)))
            except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
                done.put((False, exc))
    finally:
        worker.shutdown()


class _EarlyThread:
    """A pool thread started before its batch is known: it starts its kernel (and imports
    :data:`WARM_UP`) at once, then waits to be handed the batch's tasks (or ``None``: stop)."""

    def __init__(self, number: int, make_worker: Callable[[], KernelWorker]):
        self._make_worker = make_worker
        self._handoff: queue.SimpleQueue = queue.SimpleQueue()
        self.launched = threading.Event()
        self.thread = threading.Thread(target=self._run, name=f"impactmonitor-kernel-{number}", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        worker = self._make_worker()
        worker.launched = self.launched  # set by the worker once its kernel's process is launched
        try:
            worker.start()
        except Exception:  # noqa: BLE001 - kept by the worker: its first notebook reports it, as a late start would
            pass
        job = self._handoff.get()
        if job is None:
            worker.shutdown()
            return
        job(worker)

    def hand(self, job) -> None:
        self._handoff.put(job)


_early: list[_EarlyThread] = []
_early_lock = threading.Lock()


def start_early(size: int | None = None, *, make_worker: Callable[[], KernelWorker] = KernelWorker) -> None:
    """Start ``size`` kernels (default :func:`default_size`) for a batch that is about to come.

    The command line calls this first thing for ``run --all-regions``: the kernels start and
    import while the command line itself still loads its libraries and checks the regions
    (1,2 s on 2 cores, one of them otherwise idle). The next :func:`pooled` in this process takes
    them; :func:`discard_early` stops those that no batch took (at the latest when the process
    ends).
    """
    with _early_lock:
        started = [_EarlyThread(len(_early) + i + 1, make_worker) for i in range(size or default_size())]
        _early.extend(started)
    for early in started:  # this process's imports would hold up the launch (the GIL): launched first
        early.launched.wait(timeout=START_TIMEOUT)


def discard_early() -> None:
    """Stop the kernels of :func:`start_early` that no batch took, and wait until they are gone."""
    with _early_lock:
        left, _early[:] = list(_early), []
    for early in left:
        early.hand(None)
    for early in left:
        early.thread.join(timeout=START_TIMEOUT)


atexit.register(discard_early)


def pooled(tasks: Sequence[T], work: Callable[[T, KernelWorker], R], size: int, *,
           make_worker: Callable[[], KernelWorker] = KernelWorker) -> Iterator[R]:
    """``work(task, worker)`` for every task on ``size`` warm kernels; results as they finish.

    Each worker thread owns one :class:`KernelWorker` (started when its first task arrives, or
    already started by :func:`start_early`) and takes the next task when it is done with one,
    so slow and fast tasks even out. An exception escaping ``work`` (or the caller stopping
    early, e.g. Ctrl+C) stops handing out tasks: running notebooks finish in the background and
    their kernels are stopped.
    """
    todo: queue.SimpleQueue = queue.SimpleQueue()
    for task in tasks:
        todo.put(task)
    done: queue.SimpleQueue = queue.SimpleQueue()
    wanted = max(1, min(size, len(tasks)))
    with _early_lock:
        early, _early[:] = list(_early), []
    threads = []
    for i, started in enumerate(early):
        if i < wanted:
            started.hand(lambda worker: _serve(worker, todo, done, work))
            threads.append(started.thread)
        else:
            started.hand(None)  # more kernels were started than this batch has tasks or room for
    for i in range(len(threads), wanted):
        thread = threading.Thread(target=lambda: _serve(make_worker(), todo, done, work),
                                  name=f"impactmonitor-kernel-{i + 1}", daemon=True)
        thread.start()
        threads.append(thread)
    try:
        for _ in range(len(tasks)):
            ok, value = done.get()
            if not ok:
                raise value
            yield value
    finally:
        while True:  # no new tasks; a worker whose queue is empty stops its kernel
            try:
                todo.get_nowait()
            except queue.Empty:
                break
    for thread in threads:
        thread.join()
    for started in early[wanted:]:
        started.thread.join(timeout=START_TIMEOUT)
