#!/usr/bin/env python3
"""Per-page CPU of sitegen's cleaner, and the cost of importing it plus cleaning a first page.

    python bench/clean_speed.py pages DIR [DIR...] [--rounds 5]
        CPU ms per page of clean_bytes over every *.html under the DIRs: each round times every
        page once; prints the median and best round (pages/s, ms CPU/page). ``--region``: the
        same with the profiles' regions taken out (every page parsed whole), rounds alternated.
    python bench/clean_speed.py first PAGE [--runs 7] [--pyc DIR] [--after sitegen.build]
        In fresh processes: wall and CPU time of ``import sitegen.clean`` (after importing the
        --after modules, untimed) and of load_profiles + the first clean_file call, medians of --runs.

``--src DIR`` runs against another copy of the package (a directory holding ``sitegen/``), so a
baseline snapshot and the working tree can be timed alternately in one sitting (A/B)::

    cp -r sitegen /tmp/base/ && ... edit ... &&
    python bench/clean_speed.py pages /tmp/pages --src /tmp/base; python bench/clean_speed.py pages /tmp/pages
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_FIRST = r"""
import sys, time, json, importlib
for name in sys.argv[2:]:
    importlib.import_module(name)  # what the process has loaded already (e.g. sitegen.build)
t0 = time.perf_counter(); c0 = time.process_time()
from sitegen.clean import clean_file, load_profiles
t1 = time.perf_counter(); c1 = time.process_time()
profiles = load_profiles()
r = clean_file(sys.argv[1], rel_path="page.html", profiles=profiles)
t2 = time.perf_counter(); c2 = time.process_time()
print(json.dumps({"import": t1 - t0, "import_cpu": c1 - c0, "first": t2 - t1, "first_cpu": c2 - c1,
                  "kind": r.kind, "mods": len(sys.modules)}))
"""


def _steady_heap() -> None:
    """What the clean stage does (``sitegen.parallel.steady_heap``: glibc keeps freed memory),
    here whatever the --src: without it each process faulted the pages' buffers in again, or
    not, as the order of its allocations fell (~120 us a page either way between two runs)."""
    if sys.platform.startswith("linux"):
        import ctypes

        mallopt = ctypes.CDLL(None).mallopt
        mallopt(-1, 8 << 20)  # M_TRIM_THRESHOLD
        mallopt(-3, 1 << 20)  # M_MMAP_THRESHOLD


def pages(dirs: list[Path], rounds: int, src: Path, region: bool = False) -> None:
    _steady_heap()
    sys.path.insert(0, str(src))
    import sitegen.clean
    from sitegen.clean import clean_bytes, load_profiles

    assert Path(sitegen.clean.__file__).resolve().is_relative_to(src), sitegen.clean.__file__
    variants = {"": load_profiles()}
    if region:  # the same profiles without their regions: every page parsed whole
        import dataclasses

        from sitegen.profiles import Profiles

        variants = {"with regions: ": variants[""], "without regions: ": Profiles(tuple(
            dataclasses.replace(p, region="") for p in variants[""]))}
    data = [(p.name, p.read_bytes()) for d in dirs for p in sorted(d.rglob("*.html"))]
    for profiles in variants.values():
        for name, b in data[:20]:  # warm up
            clean_bytes(b, rel_path=name, profiles=profiles)
    times: dict[str, list[float]] = {k: [] for k in variants}
    for _ in range(rounds):
        for label, profiles in variants.items():  # (alternated round by round)
            t0 = time.process_time()
            for name, b in data:
                clean_bytes(b, rel_path=name, profiles=profiles)
            times[label].append(time.process_time() - t0)
    n = len(data)
    for label, ts in times.items():
        med, best = statistics.median(ts), min(ts)
        print(f"{src}: {label}{n} pages, median {med / n * 1000:.3f} ms CPU/page ({n / med:.0f} pages/s), "
              f"best {best / n * 1000:.3f} ms; rounds " + " ".join(f"{t / n * 1000:.3f}" for t in ts))


def first(page: Path, runs: int, src: Path, pyc: str | None, after: list[str]) -> None:
    env = dict(os.environ, PYTHONPATH=str(src))
    if pyc:  # bytecode cached (as an installed package has it), in a folder of its own
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = pyc
        subprocess.run([sys.executable, "-c", _FIRST, str(page), *after], env=env, cwd=str(src), capture_output=True,
                       check=True)
    rows = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", _FIRST, str(page), *after], env=env, cwd=str(src),
                             capture_output=True, text=True, check=True).stdout
        rows.append(json.loads(out))
    med = {k: statistics.median(r[k] for r in rows) for k in ("import", "import_cpu", "first", "first_cpu")}
    print(f"{src}: import {med['import'] * 1000:.1f} ms (cpu {med['import_cpu'] * 1000:.1f}), first page "
          f"{med['first'] * 1000:.1f} ms (cpu {med['first_cpu'] * 1000:.1f}), total "
          f"{(med['import'] + med['first']) * 1000:.1f} ms; median of {runs}; {rows[0]['mods']} modules; "
          f"kind {rows[0]['kind']}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("what", choices=("pages", "first"))
    ap.add_argument("paths", nargs="+", type=Path)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--pyc", metavar="DIR", help="first: cache bytecode in DIR (PYTHONPYCACHEPREFIX) and warm it "
                    "before timing; without it the environment decides (PYTHONDONTWRITEBYTECODE=1 compiles "
                    "every module from source on every run)")
    ap.add_argument("--after", nargs="*", default=[], metavar="MODULE",
                    help="first: import these first, untimed (sitegen.build: the cleaner's marginal cost in a build)")
    ap.add_argument("--src", type=Path, default=ROOT, help="directory holding the sitegen package to time")
    ap.add_argument("--region", action="store_true",
                    help="pages: also time the profiles without their regions (whole pages parsed), alternated")
    a = ap.parse_args(argv)
    if a.what == "pages":
        pages(a.paths, a.rounds, a.src.resolve(), a.region)
    else:
        first(a.paths[0].resolve(), a.runs, a.src.resolve(), a.pyc, a.after)
    return 0


if __name__ == "__main__":
    sys.exit(main())
