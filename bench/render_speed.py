#!/usr/bin/env python3
"""CPU per output of the render stage of a cold build, in-process (no pool), split by step.

    python bench/render_speed.py SITE [--rounds 5] [--src DIR] [--check DIR] [--profile OUT]

SITE is a site folder already built once (its ``.sitegen`` store holds the cleaned records;
nothing is cleaned here). The plan is made from the store as ``sitegen build`` makes it, then
each round, on a fresh plan (no cache: what a cold build does):

- ``plan``: iterating the plan (the jobs and their memo keys),
- ``context``: ``Plan.context`` of every job that carries none,
- ``render``: ``Renderer.render`` (the body rewrite, Jinja, the UTF-8 encoding),
- ``stage``: ``output.stage`` of every output, with no output folder yet (a cold build),
- ``add``: ``Output.add`` of each (the build's process records it, and makes its folder, while
  the workers render),
- ``commit``: ``Output.commit`` of the staged files into that output folder,

each as process CPU time per output (ms), the median of the rounds (the bodies are read from the
store once, before the rounds: that query is the store's); and ``context`` and ``render`` of the
article pages and of the list pages apart (ms per output of that template). ``--check DIR``: compare every rendered
output with the file of the same path under DIR (a site built before a change), and fail on any
difference. ``--src DIR``: run against another copy of the package (a directory holding
``sitegen/``), so that a baseline and the working tree can be timed alternately (A/B)::

    mkdir /tmp/base && git archive HEAD | tar -x -C /tmp/base
    python bench/render_speed.py SITE --src /tmp/base; python bench/render_speed.py SITE
"""

from __future__ import annotations

import argparse
import gc
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("site", type=Path)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--src", type=Path, default=ROOT)
    ap.add_argument("--check", type=Path, help="a built site to compare every output with")
    ap.add_argument("--profile", type=Path, help="write a cProfile of one extra round here")
    ap.add_argument("--json", action="store_true", help="print the medians as one JSON line")
    args = ap.parse_args()
    sys.path.insert(0, str(args.src.resolve()))

    import sitegen.plan
    from sitegen.build import BuildReport, collect, drop_duplicates
    from sitegen.config import load_config
    from sitegen.output import Output, stage
    from sitegen.plan import plan_jobs
    from sitegen.render import Renderer
    from sitegen.store import Store
    from sitegen.taxonomy import build_site
    from sitegen.urls import safe_relpath

    assert Path(sitegen.plan.__file__).resolve().is_relative_to(args.src.resolve()), sitegen.plan.__file__
    config = load_config(args.site)
    store = Store(config.cache_dir, readonly=True)
    report = BuildReport()
    rows, fingerprints, url_keys, outbound = store.site_meta()
    entries = collect(rows, config, report)
    entries, duplicates = drop_duplicates(entries, config, report, fingerprints)
    site = build_site(entries, config.page_size)
    renderer = Renderer(config.templates_dir, config.language, None)
    bodies = store.bodies([e.id for e in entries])

    def one_round(check: Path | None = None, verbose: bool = False) -> dict[str, float]:
        tmp = Path(tempfile.mkdtemp(prefix="render-speed-"))
        out = Output(tmp / "site", tmp / "staging")  # (no output folder: a cold build)
        out_dir, staging = out.out_dir, out.staging
        cpu = time.process_time
        t = {"plan": 0.0, "context": 0.0, "render": 0.0, "stage": 0.0, "add": 0.0}
        try:
            c0 = cpu()
            plan = plan_jobs(site, config, outbound=outbound, duplicates=duplicates, url_keys=url_keys,
                             theme=renderer.theme_hash)
            jobs = list(plan)
            t["plan"] = cpu() - c0
            by_template: dict[str, float] = {}  # (template, "context" or "render") -> CPU time
            count: dict[str, int] = {}
            context, render, write = plan.context, renderer.render, stage
            for job in jobs:
                c0 = cpu()
                ctx = context(job) if job.context is None else None
                c1 = cpu()
                data = render(job, bodies.get(job.body_id, "") if job.body_id else None, ctx)
                c2 = cpu()
                rel = safe_relpath(job.path)
                staged = write(out_dir, staging, rel, data)
                c3 = cpu()
                out.add(rel, staged)
                c4 = cpu()
                t["context"] += c1 - c0
                t["render"] += c2 - c1
                t["stage"] += c3 - c2
                t["add"] += c4 - c3
                by_template[job.template, "context"] = by_template.get((job.template, "context"), 0.0) + c1 - c0
                by_template[job.template, "render"] = by_template.get((job.template, "render"), 0.0) + c2 - c1
                count[job.template] = count.get(job.template, 0) + 1
                if check is not None:
                    want = (check / rel).read_bytes()
                    if want != data:
                        raise SystemExit(f"differs from {check / rel}")
            c0 = cpu()
            out.commit()
            t["commit"] = cpu() - c0
            n = len(jobs)
            if verbose:
                print("  outputs of each template: " + ", ".join(f"{k} x {v}" for k, v in count.items()), file=sys.stderr)
            # ms per output of the template, for the two templates nearly every output is made of
            per = {f"{tpl.split('.')[0]}.{step}": v / count[tpl] * 1000 for (tpl, step), v in by_template.items()
                   if tpl in ("article.html", "list.html")}
            return {k: v / n * 1000 for k, v in t.items()} | {"outputs": n, "per": per}
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    one_round(args.check, True)  # warm-up (and the check, when asked)
    if args.check:
        print(f"all outputs equal those under {args.check}", file=sys.stderr)
    gc.collect()
    gc.freeze()  # (as the build does: the cycle collector does not walk the loaded site)
    results = [one_round() for _ in range(args.rounds)]
    med = {k: statistics.median(r[k] for r in results) for k in results[0] if k not in ("outputs", "per")}
    med["total"] = statistics.median(sum(v for k, v in r.items() if k not in ("outputs", "per")) for r in results)
    per = {k: statistics.median(r["per"][k] for r in results) for k in results[0]["per"]}
    if args.profile:
        import cProfile

        cProfile.runctx("one_round()", globals(), {"one_round": one_round}, str(args.profile))
    if args.json:
        print(json.dumps({"src": str(args.src), "outputs": results[0]["outputs"], **med, "per_template": per}))
    else:
        print(f"{results[0]['outputs']} outputs, src {args.src}; CPU ms per output, median of {args.rounds}:")
        print("  " + "  ".join(f"{k} {v:.4f}" for k, v in med.items()))
        print("  ms per output of the template: " + "  ".join(f"{k} {v:.4f}" for k, v in per.items()))


if __name__ == "__main__":
    main()
