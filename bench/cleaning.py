#!/usr/bin/env python3
"""Score sitegen's cleaner, trafilatura and readability-lxml side by side on the corpus.

``--speed DIR`` only times sitegen on the pages under DIR (e.g. ``make_pages.py --n 300 --out
/tmp/cleanbench --only html`` then ``--speed /tmp/cleanbench/html``, or ``--speed ../shared/corpus/pages``).

Uses the corpus's own scorer (``score.py``: character F1 of body_text, exact title/tags/date) on
every page that has an expected record, and times each extractor over ALL corpus pages.

The two anchors are NOT project dependencies. Install them in a separate environment that can also
import sitegen (system site-packages, or ``pip install -e .`` into it)::

    python -m venv --system-site-packages /tmp/benchvenv
    /tmp/benchvenv/bin/pip install trafilatura readability-lxml lxml_html_clean cssselect
    /tmp/benchvenv/bin/python bench/cleaning.py [--corpus ../shared/corpus]

(If pip's resolver trips over ``lxml[html-clean]``, install with ``--no-deps`` plus courlan,
htmldate, justext, babel, tld, dateparser, chardet, lxml_html_clean and cssselect.)

An anchor that is not installed is reported as missing and skipped. All three get the same input:
sitegen's decoded text (so encoding is not what is compared; trafilatura's own decoding of GB pages
is worse still). For the anchors, a page they return nothing for counts as a skip.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sitegen.clean import clean_bytes, load_profiles  # noqa: E402
from sitegen.decode import decode  # noqa: E402
from sitegen.record import html_to_text  # noqa: E402


def load_score(corpus: Path):
    spec = importlib.util.spec_from_file_location("corpus_score", corpus / "score.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def run_sitegen(pages):
    profiles = load_profiles()

    def one(name, data):
        r = clean_bytes(data, rel_path=name + ".html", profiles=profiles)
        return r.to_json() if r.kind == "article" else {}

    return one


def run_trafilatura(pages=None):
    import trafilatura

    def one(name, data):
        text = decode(data).text
        out = trafilatura.extract(text, output_format="json", with_metadata=True, include_comments=False,
                                  include_tables=True, favor_precision=False)
        if not out:
            return {}
        d = json.loads(out)
        body = "\n\n".join(x for x in (d.get("text") or "").split("\n") if x.strip())
        tags = [t.strip() for t in re.split(r"[;,]", d.get("tags") or "") if t.strip()]
        return {"title": d.get("title"), "date": d.get("date"), "tags": tags, "body_text": body,
                "source": d.get("sitename")}

    return one


def run_readability(pages=None):
    from readability import Document

    def one(name, data):
        text = decode(data).text
        text = re.sub(r"^\s*<\?xml[^>]*>", "", text)
        doc = Document(text)
        body_html = doc.summary(html_partial=True)
        return {"title": doc.short_title() or doc.title(), "date": None, "tags": [],
                "body_text": html_to_text(body_html)}

    return one


def speed(folder: Path, repeat: int) -> int:
    """CPU time of clean_bytes per page over the pages under ``folder`` (best of ``repeat``)."""
    profiles = load_profiles()
    pages = [(p.name, p.read_bytes()) for p in sorted(folder.rglob("*.html"))]
    if not pages:
        print(f"no *.html under {folder}", file=sys.stderr)
        return 2
    kinds: dict[str, int] = {}
    for name, data in pages[:20]:  # warm up (imports, compiled selectors)
        clean_bytes(data, rel_path=name, profiles=profiles)
    best = None
    for _ in range(repeat):
        t0 = time.process_time()
        for name, data in pages:
            r = clean_bytes(data, rel_path=name, profiles=profiles)
            kinds[r.kind] = kinds.get(r.kind, 0) + 1
        dt = time.process_time() - t0
        best = dt if best is None else min(best, dt)
    kb = sum(len(d) for _, d in pages) / len(pages) / 1024
    print(f"{len(pages)} pages (avg {kb:.0f} KB) from {folder}: {len(pages) / best:.1f} pages/s, "
          f"{best / len(pages) * 1000:.2f} ms CPU/page (best of {repeat}); kinds "
          + ", ".join(f"{k} {n // repeat}" for k, n in sorted(kinds.items())))
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    ap.add_argument("--repeat", type=int, default=1, help="timing repetitions")
    ap.add_argument("--speed", type=Path, metavar="DIR",
                    help="only time sitegen's clean_bytes (CPU ms/page, pages/s; best of --repeat) on every "
                         "*.html under DIR, e.g. pages from make_pages.py (profile-claimed bannedbook pages)")
    args = ap.parse_args(argv)
    if args.speed:
        return speed(args.speed, max(args.repeat, 3))
    corpus = args.corpus
    if not (corpus / "score.py").exists():
        print(f"corpus not found at {corpus}", file=sys.stderr)
        return 2
    score = load_score(corpus)
    pages = {p.stem: p.read_bytes() for p in sorted((corpus / "pages").glob("*.html"))}
    golds = {p.stem: json.loads(p.read_text("utf-8")) for p in sorted((corpus / "expected").glob("*.json"))}

    runners = [("sitegen", run_sitegen)]
    for name, fn, mod in (("trafilatura", run_trafilatura, "trafilatura"),
                          ("readability-lxml", run_readability, "readability")):
        if importlib.util.find_spec(mod) is None:
            print(f"[{name} not installed: skipped; see this script's docstring]")
        else:
            runners.append((name, fn))

    summary = []
    for label, make in runners:
        one = make(pages)
        preds = {}
        failures = 0
        t0 = time.perf_counter()
        for _ in range(args.repeat):
            for name, data in pages.items():
                try:
                    preds[name] = one(name, data)
                except Exception:  # an anchor crashing on a page counts as an empty result
                    preds[name] = {}
                    failures += 1
        dt = time.perf_counter() - t0
        rate = len(pages) * args.repeat / dt
        rows = [(n, score.score_record(preds.get(n) or {}, g)) for n, g in golds.items()]
        score.print_rows(rows, label=f"== {label}  ({rate:.1f} pages/s over {len(pages)} pages"
                                      f"{f', {failures} crashes' if failures else ''})")
        print()
        n = len(rows)
        summary.append((label, sum(s["F1"] for _, s in rows) / n, sum(s["title_ok"] for _, s in rows),
                        sum(s["tags_ok"] for _, s in rows), sum(s["date_ok"] for _, s in rows), n, rate))
    print(f"{'extractor':18} {'mean F1':>8} {'title':>6} {'tags':>6} {'date':>6} {'pages/s':>8}")
    for label, f1, t, g, d, n, rate in summary:
        print(f"{label:18} {f1:8.3f} {t:>3}/{n} {g:>3}/{n} {d:>3}/{n} {rate:8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
