"""The two heavy stages, cleaning and rendering, spread over worker processes.

``refresh_records`` brings the record store up to date with the sources: a source whose stamp
and cleaner key are unchanged is reused without being read; one that was only touched is read and
hashed but not cleaned; the rest are cleaned. ``render_outputs`` renders the plan's jobs whose
memo key or output file changed. Both stream: workers read the sources and the stored bodies
themselves, and only small values (a result without its explain lines, a list of staged paths)
come back, so memory stays bounded whatever the size of the site.

Cleaning and rendering are pure functions of their inputs, so the site is byte-identical whatever
the number of processes (``tests/test_incremental.py`` checks it). Workers are forked (they
inherit the profiles and the Jinja environment, nothing is pickled but the work items); where
``fork`` is not available everything runs in the calling process.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import multiprocessing
import os
import signal
import sys
from pathlib import Path
from typing import Callable, Iterable, Iterator

from .record import ERROR, CleanResult
from .store import ANY, CleanerKeys, Store, result_rows
from .urls import safe_relpath as _safe_relpath

# A pure function called for every output of every build: remembered (a serve process runs many).
safe_relpath = functools.lru_cache(maxsize=1 << 18)(_safe_relpath)
from .output import Output, stage

MIN_PARALLEL_CLEAN = 8  # fewer pages than this are cleaned in-process
MIN_PARALLEL_RENDER = 64  # fewer outputs than this are rendered in-process
PROGRESS_MIN = 200  # a stage with fewer items than this shows no progress bar

# What a forked worker inherits from the parent: set just before the pool is created.
_state: dict = {}


def _pool_wanted(jobs: int, n_items: int, minimum: int) -> bool:
    return jobs > 1 and n_items >= minimum and "fork" in multiprocessing.get_all_start_methods()


def _pool(jobs: int, n_items: int, minimum: int):
    if not _pool_wanted(jobs, n_items, minimum):
        return None
    # What the workers inherit is frozen first (the Python docs' advice for fork without exec):
    # the build pauses the cycle collector, so the parent may hold uncollected garbage, e.g. an
    # earlier pool's queues and locks, whose finalizers must never run in a worker (a worker that
    # collected them hung on a lock of that old pool). Workers collect their own garbage as usual.
    # (Not thawed afterwards: gc.unfreeze would also thaw what session.Session froze on purpose;
    # a session's next cold build collects and freezes again.)
    gc.freeze()
    return multiprocessing.get_context("fork").Pool(min(jobs, max(1, n_items // 2)), initializer=_worker_init)


def _worker_init() -> None:
    """In each forked worker: the cycle collector on, the signal handlers of a worker (a serving
    process's own SIGTERM/SIGINT handlers are not inherited: Pool.terminate's SIGTERM must end the
    worker, and Ctrl-C is the parent's to handle)."""
    gc.enable()
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class _NoBar:
    def __enter__(self) -> "_NoBar":
        return self

    def __exit__(self, *exc) -> None:
        pass

    def update(self, n: int = 1) -> None:
        pass


def progress_bar(enabled: bool, total: int, desc: str):
    """A tqdm bar on stderr when ``enabled`` and stderr is a terminal; else a no-op."""
    show = bool(enabled) and total >= PROGRESS_MIN and sys.stderr.isatty()
    if not show:  # (tqdm's import alone is ~50 ms of a small rebuild)
        return _NoBar()
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="page", disable=not show, leave=False, file=sys.stderr,
                dynamic_ncols=True, mininterval=0.2)


# --- cleaning ---------------------------------------------------------------------------------
# glibc's malloc gives memory back to the system as soon as it is freed: the top of its heap once
# 128 KB of it is free, and every block it mapped (from 128 KB up, until a freed one raises that
# bound). Cleaning a page makes and frees buffers of that size (its bytes, its decoded text, the
# parser's), so whether each page faulted them in again depended on the order of allocations: a
# change anywhere in the cleaner made ~45 page faults a page come or go, ~120 us of CPU a page
# (800 -> 920 us in-process on the bench pages). Cleaning many pages keeps up to this much free
# memory in the process instead, and maps only blocks larger than a MB.
HEAP_KEPT = 8 << 20
HEAP_MAPPED_FROM = 1 << 20
_heap_steady = False


def steady_heap() -> None:
    """Tell glibc's malloc to keep freed memory (HEAP_KEPT, HEAP_MAPPED_FROM); once a process.
    Elsewhere than glibc (no ``mallopt``), nothing."""
    global _heap_steady
    if _heap_steady or not sys.platform.startswith("linux"):
        return
    _heap_steady = True
    try:
        import ctypes

        mallopt = ctypes.CDLL(None).mallopt
    except (ImportError, OSError, AttributeError):
        return
    mallopt(-1, HEAP_KEPT)  # M_TRIM_THRESHOLD
    mallopt(-3, HEAP_MAPPED_FROM)  # M_MMAP_THRESHOLD


CLEAN_CHUNK = 32  # sources per task: cleaned, then stored in one transaction by the worker
READ_AHEAD = 4 << 20  # bytes of sources a worker reads before cleaning them (_clean_chunk)
# The parent checkpoints the store's journal after the workers have cleaned about this many
# pages (a page's rows are ~13 KB: ~3 MB, SQLite's own 1,000 journal pages being 4 MB)
CHECKPOINT_PAGES = 256


def _read_one(item: tuple[str, str, str, str | None], limit: int, keys: CleanerKeys):
    """The first step of cleaning a source: ("same", rel, stamp) if its bytes are those already
    stored, ("rows", the store's rows) if it cannot be read, else ("read", item, bytes, sha256)."""
    rel, path, stamp, known_hash = item
    try:
        data = read_source(path, limit)
        if len(data) > limit:
            raise ValueError(f"file is larger than max_page_bytes ({limit})")
    except (OSError, ValueError) as e:
        reason = f"cannot read: {e.strerror}" if isinstance(e, OSError) and e.strerror else str(e)
        return "rows", result_rows(CleanResult(rel, ERROR, reason), "", ANY, keys.key(ANY) or "", stamp)
    digest = hashlib.sha256(data).hexdigest()
    if digest == known_hash:
        return "same", rel, stamp
    return "read", item, data, digest


def _cleaned(read) -> CleanResult:
    """The cleaner's result for a ``_read_one`` ("read", item, bytes, sha256)."""
    from .build import clean_source

    _, (rel, path, _stamp, _known), data, digest = read
    return clean_source(path, rel, _state["profiles"], _state["config"], data, source_hash=digest)


def _rows_of(item, digest: str, res: CleanResult, keys: CleanerKeys) -> tuple[tuple, tuple]:
    from .build import MD_EXT

    claim = keys.claim_of(res, item[0].lower().endswith(MD_EXT))
    return result_rows(res, digest, claim, keys.key(claim) or "", item[2])


def read_source(path: str, limit: int) -> bytes:
    """The file's bytes, or its first ``limit + 1`` when it is larger (one byte past the limit
    tells a file too large to clean from one that fits): what ``open(path, "rb").read(limit + 1)``
    gives, without its buffer of ``limit + 1`` bytes (10 MB by default: allocated, then shrunk,
    for every page; ~0.05 ms a page). The first read asks for the size ``fstat`` tells, plus
    one byte; reading goes on, in small steps, until the end of the file or past the limit
    (a file that grew meanwhile, or a file whose size is not known)."""
    with open(path, "rb", buffering=0) as fh:
        size = os.fstat(fh.fileno()).st_size
        data = fh.read(min(size, limit) + 1)
        if not data:
            return data
        parts = [data]
        total = len(data)
        while total <= limit:
            more = fh.read(min(limit + 1 - total, _READ_STEP))
            if not more:
                break
            parts.append(more)
            total += len(more)
        return data if len(parts) == 1 else b"".join(parts)


_READ_STEP = 1 << 16


def _clean_chunk(items: list) -> tuple[int, int]:
    """In a worker (or in-process): clean ``items`` and store what they gave, in one transaction
    of this process's own connection. Returns (cleaned, only restamped). Nothing but two numbers
    goes back to the parent: shipping each result's rows (bodies included) to it, for it to
    unpickle and insert alone, cost it a third of the workers' CPU time, on the same two cores."""
    store = _state.get("store")
    if store is None:
        store = _state["store"] = _worker_store(_state["cache_dir"])
    rows: list = []
    touched: list = []
    keys, limit = _state["keys"], _state["config"].max_page_bytes
    # Step by step over a group of sources (the chunk, or as many of its sources as fit in
    # READ_AHEAD bytes): read and hash them all, clean them all, then make all their rows. Each
    # step's code and data stay in the processor's caches from one source to the next; one page
    # after another, the cleaner's work had evicted them: reading and the rows cost ~0.2 ms a
    # page that way, ~0.1 ms this way.
    i = 0
    while i < len(items):
        group: list = []
        size = 0
        while i < len(items) and size < READ_AHEAD:
            out = _read_one(items[i], limit, keys)
            i += 1
            group.append(out)
            if out[0] == "read":
                size += len(out[2])
        results = [_cleaned(out) if out[0] == "read" else None for out in group]
        for out, res in zip(group, results):  # (in the items' order, as they were stored before)
            if out[0] == "same":
                touched.append((out[1], out[2]))
            elif out[0] == "rows":
                rows.append(out[1])
            else:
                rows.append(_rows_of(out[1], out[3], res, keys))
    if rows:
        store.put_rows(rows)
    if touched:
        store.restamp(touched)
    return len(rows), len(touched)


def _worker_store(cache_dir: Path) -> Store:
    """A forked worker's own connection to the store the parent opened (never one shared across
    fork()). Not ``Store(folder)``: its open writes the schema and, on any error (another
    process's lock included), throws the file away, a file the parent and the other workers are
    using. Writers take turns (WAL: one at a time; the busy timeout waits for the other).
    Its commits leave the journal's checkpoints to the parent, which waits for the workers
    meanwhile (``refresh_records``): a worker that ran one waited for its two fsyncs (a few
    ms for each 4 MB of journal) with its core idle."""
    return Store.attach(cache_dir, checkpoints=False)


def refresh_records(sources, store: Store, profiles, config, cleaner_version: str, jobs: int,
                    progress: bool = False, partial: bool = False) -> tuple[int, int]:
    """Bring the store up to date with ``sources`` (objects with rel, path, stamp); ``partial``:
    they are only some of the sources (only their rows are looked up). Returns (cleaned, reused)."""
    keys = CleanerKeys.of(profiles, cleaner_version, (config.language, config.max_page_bytes))
    stored = store.stored([s.rel for s in sources] if partial else None)
    todo: list[tuple[str, str, str, str | None]] = []
    reused = 0
    for s in sources:
        st = stored.get(s.rel)
        if st is not None and st.cleaner_key == keys.key(st.claim):
            if st.stamp == s.stamp:
                reused += 1
                continue
            todo.append((s.rel, str(s.path), s.stamp, st.source_hash))
        else:
            todo.append((s.rel, str(s.path), s.stamp, None))
    if not todo:
        return 0, reused
    if len(todo) >= CLEAN_CHUNK:
        steady_heap()  # (before the pool: its workers inherit it)
    use_pool = _pool_wanted(jobs, len(todo), MIN_PARALLEL_CLEAN)
    # Forked workers open their own connection (``_worker_store``); in-process, the caller's.
    _state.update(config=config, profiles=profiles, keys=keys, cache_dir=store.path.parent,
                  store=None if use_pool else store)
    cleaned = 0
    pool = _pool(jobs, len(todo), MIN_PARALLEL_CLEAN)
    try:
        if pool:
            size = max(4, min(CLEAN_CHUNK, len(todo) // (jobs * 8) or 1))
            outcomes: Iterable = pool.imap_unordered(_clean_chunk, _tapered(todo, size, jobs))
        else:
            outcomes = map(_clean_chunk, _batches(todo, CLEAN_CHUNK))
        unsaved = 0  # pages the workers stored since the parent's last checkpoint
        with progress_bar(progress, len(todo), "clean") as bar:
            for n_cleaned, n_same in outcomes:
                cleaned += n_cleaned
                reused += n_same
                bar.update(n_cleaned + n_same)
                unsaved += n_cleaned + n_same
                if pool and unsaved >= CHECKPOINT_PAGES:
                    store.checkpoint()  # (the workers' commits do not: _worker_store)
                    unsaved = 0
    finally:
        if pool:
            pool.terminate()
            pool.join()
        _state.clear()
    return cleaned, reused


# --- rendering --------------------------------------------------------------------------------
def _render_batch(batch: list) -> list[tuple[str, bool]]:
    """In a worker (or in-process): render jobs, stage the changed ones; [(rel, staged)]."""
    import jinja2

    from .errors import BuildError

    renderer, out_dir, staging = _state["renderer"], _state["out_dir"], _state["staging"]
    plan = _state.get("plan")
    store = _state.get("store")
    if store is None:
        store = _state["store"] = Store(_state["cache_dir"], readonly=True)
    done = []
    bodies = store.bodies([job.body_id for job in batch if job.body_id])  # one query a batch
    for job in batch:
        body = bodies.get(job.body_id, "") if job.body_id else None
        try:
            context = plan.context(job) if job.context is None else None
            data = renderer.render(job, body, context)
        except jinja2.TemplateError as e:
            from .build import describe_template_error

            raise BuildError(describe_template_error(e)) from None
        rel = safe_relpath(job.path)
        done.append((rel, stage(out_dir, staging, rel, data)))
    return done


def _tapered(items: list, size: int, jobs: int) -> Iterator[list]:
    """Batches of ``size`` items, then smaller ones towards the end (a quarter of what is left
    for two workers, never fewer than TAPER_MIN items): the workers finish within a few pages of
    each other, where one of them could have cleaned a whole batch alone at the end (~30 ms of
    a core idle on average with 32 pages a batch)."""
    i, n = 0, len(items)
    while i < n:
        step = max(min(size, -(-(n - i) // (2 * jobs))), TAPER_MIN)
        yield items[i:i + step]
        i += step


TAPER_MIN = 4


def _batches(items: list, size: int) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def render_outputs(plan: Iterable, renderer, store: Store, cache_dir: Path, out: Output, jobs: int,
                   progress: bool = False, on_duplicate: Callable[[str], Exception] | None = None,
                   old: dict[str, tuple[str, str]] | None = None, trusted: bool = False
                   ) -> tuple[dict[str, str], dict[str, str], int]:
    """Render what changed: ({output path: memo key}, {output path: stamp} of the outputs reused
    as they are, number of pages rendered). An output is reused when its memo key and its file's
    stamp are those of the last build. ``old``: {output path: (memo key, stamp)} of the last build
    (read from the store when None); ``trusted``: they are known to describe the files (a warm
    session), whose stamps are then not checked again."""
    if old is None:
        old = store.output_stamps()
    keys: dict[str, str] = {}
    stamps: dict[str, str] = {}
    pending: list = []
    # A plan made with this renderer's theme digests it into its memo keys: they are the render
    # keys as they are (plan.Plan). Otherwise a memo key is digested again with the theme, once
    # per process (a long-lived process's plan hands back the very job objects of unchanged
    # pages, plan.PlanCache, whose keys are then looked up: id(job) -> (job, render key)).
    final = bool(getattr(plan, "theme", "")) and plan.theme == renderer.theme_hash
    memo_keys = _memo_keys(renderer)
    last_jobs, this_jobs = ({}, {}) if final else (_JOB_KEYS.get(renderer.theme_hash, {}), {})
    kept = out.kept
    # A whole new site (no output folder: nothing to reuse) renders every job: once there are
    # enough of them for a pool and its largest batches, the pool starts and takes them batch by
    # batch while the rest of the plan is made (the same batches as after the whole plan).
    new_site = out.tree and not trusted
    stream_from = max(_STREAM_FROM * jobs, MIN_PARALLEL_RENDER)
    stream = _Stream(jobs, out) if new_site and _pool_wanted(jobs, stream_from, MIN_PARALLEL_RENDER) else None
    try:
        for job in plan:
            path, memo = job.path, job.memo
            if path in keys:
                raise (on_duplicate(path) if on_duplicate else ValueError(f"duplicate output {path}"))
            if memo is not None and final:
                key = memo
            elif memo is not None:
                seen = last_jobs.get(id(job))
                if seen is not None and seen[0] is job:
                    key = seen[1]
                else:  # the render key of a cheap memo key: digested once per process
                    mk = (job.template, memo, job.body_key)
                    key = memo_keys.get(mk)
                    if key is None:
                        key = memo_keys[mk] = renderer.key(job)
                    seen = (job, key)
                this_jobs[id(job)] = seen
            else:
                key = renderer.key(job)
            keys[path] = key
            if not new_site:
                prev = old.get(path)
                if prev is not None and prev[0] == key:
                    rel = safe_relpath(path)
                    stamp = (prev[1] or None) if trusted else out.stamp(rel)
                    if stamp is not None and stamp == prev[1]:
                        kept.add(rel)
                        stamps[path] = stamp
                        continue
            pending.append(job)
            if stream is not None and len(pending) % _STREAM_BATCH == 0 and len(pending) >= stream_from:
                if not stream.started:
                    _render_state(renderer, out, cache_dir, None, plan)
                    stream.start()
                    for i in range(0, len(pending) - _STREAM_BATCH, _STREAM_BATCH):
                        stream.submit(pending[i:i + _STREAM_BATCH])
                stream.submit(pending[-_STREAM_BATCH:])
        if len(memo_keys) > 4 * len(keys) + 1024:  # old keys pile up in a long session: start again
            memo_keys.clear()
        _JOB_KEYS.clear()  # (this build's jobs only: they are held here, so no id is reused meanwhile)
        _JOB_KEYS[renderer.theme_hash] = this_jobs
        if stream is not None and stream.started:
            if len(pending) % _STREAM_BATCH:
                stream.submit(pending[-(len(pending) % _STREAM_BATCH):])
            with progress_bar(progress, len(pending), "render") as bar:
                bar.update(stream.done)
                stream.finish(bar)
            return keys, stamps, len(pending)
    finally:
        if stream is not None and stream.started:
            stream.close()
    if not pending:
        return keys, stamps, 0
    use_pool = _pool_wanted(jobs, len(pending), MIN_PARALLEL_RENDER)
    # Forked workers must open their own SQLite connection: never share one across fork().
    _render_state(renderer, out, cache_dir, None if use_pool else store, plan)
    pool = _pool(jobs, len(pending), MIN_PARALLEL_RENDER)
    try:
        if pool:
            size = max(8, min(_STREAM_BATCH, len(pending) // (jobs * 8) or 1))
            results: Iterable = pool.imap_unordered(_render_batch, _batches(pending, size))
        else:
            results = map(_render_batch, _batches(pending, 32))
        with progress_bar(progress, len(pending), "render") as bar:
            for done in results:
                for rel, staged in done:
                    out.add(rel, staged)
                bar.update(len(done))
    finally:
        if pool:
            pool.terminate()
            pool.join()
        _state.clear()
    return keys, stamps, len(pending)


def _render_state(renderer, out: Output, cache_dir: Path, store: Store | None, plan) -> None:
    """What ``_render_batch`` reads, in this process and in the workers forked after it (``store``:
    None where they fork, each opening its own connection)."""
    _state.update(renderer=renderer, out_dir=out.out_dir, staging=out.staging, cache_dir=cache_dir,
                  store=store, plan=plan)


_STREAM_BATCH = 64  # the render pool's largest batch (jobs a task)
_STREAM_FROM = _STREAM_BATCH * 8  # x jobs: from so many jobs on, every batch is the largest


class _Stream:
    """The render pool of a whole new site, fed batch by batch while the plan is made: each
    batch's outcome is recorded (``Output.add``) as it comes back, between batches and at the end."""

    def __init__(self, jobs: int, out: Output):
        self.jobs, self.out = jobs, out
        self.pool = None
        self.queue = None
        self.sent = 0  # batches
        self.got = 0
        self.done = 0  # jobs recorded

    @property
    def started(self) -> bool:
        return self.pool is not None

    def start(self) -> None:
        import queue

        self.queue = queue.SimpleQueue()
        self.pool = _pool(self.jobs, max(_STREAM_FROM * self.jobs, MIN_PARALLEL_RENDER), MIN_PARALLEL_RENDER)

    def submit(self, batch: list) -> None:
        put = self.queue.put
        self.pool.apply_async(_render_batch, (batch,), callback=put, error_callback=lambda e: put(_Failed(e)))
        self.sent += 1
        while not self.queue.empty():  # (what came back meanwhile)
            self._record(self.queue.get())

    def finish(self, bar) -> None:
        while self.got < self.sent:
            self._record(self.queue.get(), bar)

    def _record(self, done, bar=None) -> None:
        self.got += 1
        if isinstance(done, _Failed):
            raise done.error
        add = self.out.add
        for rel, staged in done:
            add(rel, staged)
        self.done += len(done)
        if bar is not None:
            bar.update(len(done))

    def close(self) -> None:
        self.pool.terminate()
        self.pool.join()
        _state.clear()


class _Failed:
    def __init__(self, error: BaseException):
        self.error = error


# theme hash -> {(template, memo, body key): render key}: one theme at a time
_MEMO_KEYS: dict[str, dict[tuple, str]] = {}
# theme hash -> {id(job): (job, render key)} of the last build's memo-keyed jobs
_JOB_KEYS: dict[str, dict[int, tuple]] = {}


def _memo_keys(renderer) -> dict[tuple, str]:
    table = _MEMO_KEYS.get(renderer.theme_hash)
    if table is None:
        _MEMO_KEYS.clear()
        table = _MEMO_KEYS[renderer.theme_hash] = {}
    return table


def final_stamps(keys: dict[str, str], known: dict[str, str], out: Output) -> dict[str, str]:
    """After the commit: the stamp of every output (known ones were checked before it)."""
    return {p: known.get(p) or out.stamp(safe_relpath(p)) or "" for p in keys}
