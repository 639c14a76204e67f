"""The clean stage alone, cold: ``parallel.refresh_records`` on a fresh store, and what of it is
not the cleaner proper (``clean.clean_bytes``).

    python bench/clean_stage.py --root /tmp/hE/c2k --jobs 1 --runs 3
    python bench/clean_stage.py --root /tmp/hE/c2k --jobs 2 --runs 3
    python bench/clean_stage.py --root /tmp/hE/c2k --parts      # per-page CPU of each part
    python bench/clean_stage.py --root /tmp/hE/c2k --profile    # cProfile, clean_bytes's callees cut

Each run removes the store (a temporary folder, never the site's ``.sitegen``), scans the sources,
loads the profiles and times ``refresh_records`` (wall, and with ``--jobs 1`` the time spent in
``clean_bytes``, so the rest is the stage's overhead) and the CPU time of this process and of
the pool's workers (less sensitive to the machine's load than wall time), and counts their minor
page faults (memory given back and touched again: see ``parallel.steady_heap``). The site's own files
are only read.
Figures swing with the machine's load: compare A/B runs alternated in one sitting.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import hashlib
import os
import pstats
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sitegen import build, clean, parallel  # noqa: E402
from sitegen.config import load_config  # noqa: E402
from sitegen.store import Store  # noqa: E402


class _Timed:
    """Wrap ``clean.clean_bytes`` (as build.clean_source calls it) with a time accumulator."""

    def __init__(self):
        self.total = 0.0
        self.calls = 0
        self.orig = clean.clean_bytes

    def __enter__(self):
        orig = self.orig

        def timed(*a, **kw):
            t0 = time.perf_counter()
            try:
                return orig(*a, **kw)
            finally:
                self.total += time.perf_counter() - t0
                self.calls += 1

        clean.clean_bytes = timed
        return self

    def __exit__(self, *exc):
        clean.clean_bytes = self.orig


def _setup(root: Path, limit: int):
    config = load_config(root)
    sources = build.scan_sources(config.content_dir)
    if limit:
        sources = sources[:limit]
    profiles = build.load_site_profiles(config)
    return config, sources, profiles


def run_once(root: Path, jobs: int, limit: int, profile: bool = False) -> dict:
    config, sources, profiles = _setup(root, limit)
    tmp = Path(tempfile.mkdtemp(prefix="sg-clean-stage-"))
    try:
        store = Store(tmp / ".sitegen")
        gc.collect()
        gc.disable()  # as the build does (it pauses the cycle collector)
        try:
            prof = cProfile.Profile() if profile else None
            with _Timed() as timer:
                t0 = time.perf_counter()
                c0 = time.process_time()
                k0 = resource.getrusage(resource.RUSAGE_CHILDREN)
                s0 = resource.getrusage(resource.RUSAGE_SELF)
                if prof:
                    prof.enable()
                cleaned, reused = parallel.refresh_records(sources, store, profiles, config,
                                                           clean.CLEANER_VERSION, jobs)
                if prof:
                    prof.disable()
                wall = time.perf_counter() - t0
                cpu = time.process_time() - c0
                k1 = resource.getrusage(resource.RUSAGE_CHILDREN)  # (the pool's workers, joined)
                s1 = resource.getrusage(resource.RUSAGE_SELF)
                cpu += (k1.ru_utime - k0.ru_utime) + (k1.ru_stime - k0.ru_stime)
                # page faults (minor: memory the process gave back and touched again)
                faults = (s1.ru_minflt - s0.ru_minflt) + (k1.ru_minflt - k0.ru_minflt)
        finally:
            gc.enable()
        store.close()
        size = sum(f.stat().st_size for f in (tmp / ".sitegen").iterdir())
        out = {"pages": len(sources), "cleaned": cleaned, "wall": wall, "cpu": cpu,
               "clean_bytes": timer.total if jobs == 1 else None, "store_bytes": size, "faults": faults}
        if prof:
            out["profile"] = prof
        return out
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def parts(root: Path, limit: int) -> None:
    """Per-page CPU of each step of ``_clean_one``/``_clean_chunk`` but the cleaner, in-process."""
    from sitegen.decode import decode
    from sitegen.record import ERROR
    from sitegen.store import CleanerKeys, result_rows

    config, sources, profiles = _setup(root, limit)
    keys = CleanerKeys.of(profiles, clean.CLEANER_VERSION, (config.language, config.max_page_bytes))
    datas = []
    t = {}

    def add(name, dt):
        t[name] = t.get(name, 0.0) + dt

    limit_b = config.max_page_bytes
    results = []
    for s in sources:
        t0 = time.perf_counter()
        data = parallel.read_source(s.path, limit_b)
        t1 = time.perf_counter()
        digest = hashlib.sha256(data).hexdigest()
        t2 = time.perf_counter()
        dec = decode(data)
        t3 = time.perf_counter()
        res = build.clean_source(Path(s.path), s.rel, profiles, config, data, source_hash=digest)
        t4 = time.perf_counter()
        claim = keys.claim_of(res, False)
        t5 = time.perf_counter()
        rows = result_rows(res, digest, claim, keys.key(claim) or "", s.stamp)
        t6 = time.perf_counter()
        add("read", t1 - t0)
        add("sha256", t2 - t1)
        add("decode (inside clean_bytes)", t3 - t2)
        add("clean_source", t4 - t3)
        add("claim_of", t5 - t4)
        add("result_rows", t6 - t5)
        results.append(rows)
        del dec, datas
        datas = []
    tmp = Path(tempfile.mkdtemp(prefix="sg-clean-stage-"))
    try:
        store = Store(tmp / ".sitegen")
        t0 = time.perf_counter()
        for i in range(0, len(results), parallel.CLEAN_CHUNK):
            store.put_rows(results[i:i + parallel.CLEAN_CHUNK])
        add("put_rows", time.perf_counter() - t0)
        store.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    n = len(sources)
    for name, v in t.items():
        print(f"  {name:30s} {v / n * 1e3:7.3f} ms/page")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", type=Path, required=True, help="a site (sitegen.toml, content/)")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--limit", type=int, default=0, help="only the first N sources")
    ap.add_argument("--parts", action="store_true")
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args()
    if args.parts:
        parts(args.root, args.limit)
        return
    if args.profile:
        r = run_once(args.root, 1, args.limit, profile=True)
        st = pstats.Stats(r["profile"])
        st.sort_stats("tottime").print_stats(40)
        return
    rows = []
    for i in range(args.runs):
        r = run_once(args.root, args.jobs, args.limit)
        rows.append(r)
        over = "" if r["clean_bytes"] is None else (
            f"  clean_bytes {r['clean_bytes']:.2f} s  rest {(r['wall'] - r['clean_bytes']) / r['pages'] * 1e3:.3f} ms/page")
        print(f"run {i + 1}: {r['pages']} pages  wall {r['wall']:.2f} s ({r['wall'] / r['pages'] * 1e3:.3f} ms/page)"
              f"  cpu {r['cpu'] / r['pages'] * 1e3:.3f} ms/page{over}  faults {r['faults'] / r['pages']:.1f}/page"
              f"  store {r['store_bytes'] / 1e6:.1f} MB", flush=True)
    med = statistics.median(r["wall"] for r in rows)
    cpu = statistics.median(r["cpu"] for r in rows)
    print(f"median cpu (this process and its workers) {cpu / rows[0]['pages'] * 1e3:.3f} ms/page")
    print(f"median wall {med:.2f} s ({med / rows[0]['pages'] * 1e3:.3f} ms/page), jobs {args.jobs}")
    if rows[0]["clean_bytes"] is not None:
        rest = statistics.median((r["wall"] - r["clean_bytes"]) / r["pages"] for r in rows)
        print(f"median outside clean_bytes {rest * 1e3:.3f} ms/page")


if __name__ == "__main__":
    main()
