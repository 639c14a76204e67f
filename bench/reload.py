#!/usr/bin/env python3
"""Save-to-reload latency of ``sitegen serve``, measured in a real browser.

For each site: start ``python -m sitegen serve -v`` (a subprocess, as a user runs it), open an
article in headless Chromium, then RUNS times: write a new paragraph into that article's source
and take the time from just before the write to the reloaded page's DOMContentLoaded (both on the
system clock: ``time.time()`` here, ``Date.now()`` in the page). Prints the median, min and max,
and the median server-side build time per stage (from the server's ``-v`` output), so the
remainder is what watching, debouncing, the event stream and the reload cost.

Sites: ``demo`` (the repository's content/, copied to a temp folder) and ``N`` generated pages in
the bannedbook WordPress markup (bench/make_pages.py; generated and first built once, then kept
in --work so later runs start warm).

    python bench/reload.py                      # demo + 10,000 pages, 10 saves each
    python bench/reload.py --sites demo --runs 20
    python bench/reload.py --sites 10000 --search off   # without the Pagefind search step
"""

from __future__ import annotations

import argparse
import os
import queue
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ENTRY = '<div class="entry">'


def snapshot_code(work: Path) -> Path:
    """A copy of the package and theme as they are now: the cleaner's code is part of the record
    store's keys, so an edit in the working tree during a run would (rightly) re-clean all pages."""
    code = work / "code"
    shutil.rmtree(code, ignore_errors=True)
    shutil.copytree(REPO / "sitegen", code / "sitegen", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "templates", code / "templates")
    return code


class Server:
    def __init__(self, root: Path, code: Path | None = None):
        env = dict(os.environ)
        if code is not None:
            env["PYTHONPATH"] = str(code)
        self.proc = subprocess.Popen([sys.executable, "-m", "sitegen", "serve", "--root", str(root), "--port", "0", "-v"],
                                     cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.lines: "queue.Queue[str]" = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stderr:
            self.lines.put(line.rstrip("\n"))

    def wait_url(self, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=1)
            except queue.Empty:
                if self.proc.poll() is not None:
                    break
                continue
            if m := re.search(r"serving (http://\S+)", line):
                return m.group(1)
        raise SystemExit("the server did not start")

    def wait_line(self, pattern: str, timeout: float) -> list[str]:
        """The lines up to and including the first matching ``pattern`` (or all until ``timeout``)."""
        out: list[str] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                out.append(self.lines.get(timeout=0.5))
            except queue.Empty:
                continue
            if re.search(pattern, out[-1]):
                break
        return out

    def drain(self) -> list[str]:
        out = []
        while True:
            try:
                out.append(self.lines.get_nowait())
            except queue.Empty:
                return out

    def stop(self) -> None:
        self.proc.send_signal(2)
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def stage_times(lines: list[str]) -> dict[str, float]:
    """Per-stage ms of the last build in the server's -v output."""
    stages: dict[str, float] = {}
    for line in lines:
        if m := re.match(r"^\s{2}(\w+)\s+([\d.]+) ms\b", line):
            stages[m.group(1)] = float(m.group(2))
        elif line.startswith("built "):
            last = dict(stages)
            stages = {}
    return locals().get("last", stages)


def measure(root: Path, article: Path, url_path: str, runs: int, label: str, start_timeout: float,
            code: Path | None = None) -> None:
    from playwright.sync_api import sync_playwright

    original = article.read_text(encoding="utf-8")
    if ENTRY not in original:
        raise SystemExit(f"{article}: no {ENTRY} to write into")
    t0 = time.time()
    server = Server(root, code)
    url = server.wait_url(start_timeout)
    startup = time.time() - t0
    server.drain()
    latencies: list[float] = []
    builds: list[dict[str, float]] = []
    index_ms: list[float] = []  # the deferred search index step, after the reload
    navs: list[tuple[float, float, float, float]] = []  # navigation start after the save; its timings
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.add_init_script("document.addEventListener('DOMContentLoaded', () => { window.__dcl = Date.now(); });")
            page.goto(url + url_path)
            page.wait_for_function("() => window.__dcl")
            page.wait_for_timeout(500)  # let the event stream connect
            token = random.randrange(10**6)
            for run in range(runs):
                marker = f"基准保存{token}第{run}次"
                text = original.replace(ENTRY, f"{ENTRY}<p>{marker}。</p>", 1)
                before = time.time()
                article.write_text(text, encoding="utf-8")
                try:
                    # A cheap predicate (a number set on DOMContentLoaded), then the marker once per
                    # load: polling document.body.innerText at every frame keeps the renderer busy
                    # and steals one of the two cores from the build being measured.
                    since = before * 1000
                    while True:
                        page.wait_for_function("t => window.__dcl && window.__dcl > t", arg=since, timeout=600_000)
                        dcl, seen = page.evaluate("m => [window.__dcl, document.body.innerText.includes(m)]", marker)
                        if seen:
                            break
                        since = dcl  # a reload of an older build: wait for the next one
                except Exception:
                    print("\n".join(server.drain()[-30:]), file=sys.stderr)
                    raise
                dcl, origin, nav = page.evaluate("[window.__dcl, performance.timeOrigin, "
                                                 "performance.getEntriesByType('navigation')[0].toJSON()]")
                latencies.append(dcl - before * 1000)
                navs.append((origin - before * 1000, nav["responseStart"], nav["responseEnd"], dcl - origin))
                page.wait_for_timeout(400)  # settle: the build's last events, the stream reconnected
                lines = server.drain()
                if any(line.startswith("search index: stale") for line in lines):
                    # the deferred search index runs after the reload: let it finish before the next save
                    lines += server.wait_line(r"^(search index:? (updated|given up)|build failed)", 120)
                builds.append(stage_times(lines))
                if m := re.search(r"search index updated \((\d+) ms", "\n".join(lines)):
                    index_ms.append(float(m.group(1)))
            browser.close()
    finally:
        article.write_text(original, encoding="utf-8")
        server.stop()
    med = statistics.median(latencies)
    stages = sorted({k for b in builds for k in b})
    stage_med = {k: statistics.median(b.get(k, 0.0) for b in builds) for k in stages}
    quiet, wall = stage_med.pop("quiet", 0.0), stage_med.pop("wall", 0.0)
    print(f"{label}: save-to-reload median {med:.0f} ms (min {min(latencies):.0f}, max {max(latencies):.0f}, "
          f"n={len(latencies)}); server start (first build) {startup:.1f} s")
    print(f"  medians: first change -> build start {quiet:.0f} ms (quiet window); build {wall:.0f} ms "
          "(" + ", ".join(f"{k} {v:.0f}" for k, v in stage_med.items()) + ")")
    print(f"  rest: save -> first event, build end -> event stream -> reload -> DOMContentLoaded: "
          f"{med - quiet - wall:.0f} ms")
    nav_med = [statistics.median(n[i] for n in navs) for i in range(4)]
    print(f"  the reload, medians: navigation starts {nav_med[0]:.0f} ms after the save; first byte at "
          f"+{nav_med[1]:.0f} ms, page received +{nav_med[2]:.0f} ms, DOMContentLoaded +{nav_med[3]:.0f} ms")
    if index_ms:
        print(f"  search index after the reload (deferred, not in the latency): median {statistics.median(index_ms):.0f} ms")
    print("  all (ms): " + " ".join(f"{x:.0f}" for x in latencies))


def set_search(root: Path, search: str) -> None:
    cfg = root / "sitegen.toml"
    text = cfg.read_text(encoding="utf-8") if cfg.exists() else ""
    text = re.sub(r"(?m)^search\s*=.*\n?", "", text)
    if search == "off":
        text = "search = false\n" + text
    cfg.write_text(text, encoding="utf-8")


def _utf8_with_entry(path: Path) -> bool:
    try:
        return ENTRY in path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:  # the demo also has GBK and Big5 pages; edit a UTF-8 one
        return False


def demo_site(work: Path) -> tuple[Path, Path, str]:
    root = work / "demo"
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(REPO / "content", root / "content")
    if (REPO / "sitegen.toml").exists():
        shutil.copy(REPO / "sitegen.toml", root / "sitegen.toml")
    pages = sorted(p for p in (root / "content").rglob("*.html") if _utf8_with_entry(p))
    article = pages[len(pages) // 2]
    return root, article, article.relative_to(root / "content").as_posix()


def generated_site(work: Path, n: int) -> tuple[Path, Path, str]:
    sys.path.insert(0, str(HERE))
    import make_pages  # the speed bench's generator (bannedbook markup, full-page chrome)

    base = work / f"pages-{n}"
    root = base / "html"
    if not (root / "content").is_dir():
        print(f"generating {n} pages in {root} ...", flush=True)
        info = make_pages.generate(n, base, only=("html",))
        (base / "middle.txt").write_text(info["middle"]["html"], encoding="utf-8")
    article = base / (base / "middle.txt").read_text(encoding="utf-8").strip()
    return root, article, article.relative_to(root / "content").as_posix()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sites", default="demo,10000", help="comma-separated: demo and/or page counts")
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "sitegen-reload-bench",
                    help="where sites are generated and kept between runs")
    ap.add_argument("--search", choices=("config", "on", "off"), default="config",
                    help="the Pagefind search step: as the site's config says (default), forced on or off")
    a = ap.parse_args()
    a.work.mkdir(parents=True, exist_ok=True)
    code = snapshot_code(a.work)
    for site in a.sites.split(","):
        root, article, rel = demo_site(a.work) if site == "demo" else generated_site(a.work, int(site))
        if a.search != "config":
            set_search(root, a.search)
        url_path = rel.rsplit(".", 1)[0] + ".html"
        label = "demo" if site == "demo" else f"{int(site):,} pages"
        measure(root, article, url_path, a.runs, f"{label} (search {a.search})", start_timeout=3600, code=code)


if __name__ == "__main__":
    main()
