"""parallel.steady_heap: the clean stage keeps freed memory in the process (glibc's mallopt) when
it cleans many pages, once; what it stores does not depend on it (the same rows either way)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sitegen import parallel

ROOT = Path(__file__).resolve().parent.parent

_ROWS = r"""
import sys
from pathlib import Path
from sitegen import parallel
from sitegen.clean import clean_bytes, load_profiles
from sitegen.store import result_rows
if sys.argv[1] == "steady":
    parallel.steady_heap()
    parallel.steady_heap()  # (a second call does nothing)
profiles = load_profiles()
for p in sorted(Path(sys.argv[2]).glob("*.html")):
    for _ in range(3):  # (again: the heap the first cleaning left behind)
        rows = result_rows(clean_bytes(p.read_bytes(), rel_path=p.name, profiles=profiles), "h", "c", "k", "s")
    print(repr(rows))
"""


def test_the_rows_do_not_depend_on_the_heap_settings():
    pages = ROOT / "tests" / "pages"
    out = {}
    for mode in ("steady", "default"):
        r = subprocess.run([sys.executable, "-c", _ROWS, mode, str(pages)], capture_output=True, text=True,
                           cwd=ROOT, check=True)
        out[mode] = r.stdout
    assert out["steady"] == out["default"] and out["steady"].count("\n") >= 10


def test_the_clean_stage_steadies_the_heap_for_many_pages_only(tmp_path, monkeypatch):
    from sitegen import build
    from sitegen.config import load_config
    from sitegen.store import Store

    calls = []
    monkeypatch.setattr(parallel, "steady_heap", lambda: calls.append(1))
    content = tmp_path / "content"
    content.mkdir()
    (tmp_path / "sitegen.toml").write_text('title = "t"\n')
    page = (ROOT / "tests" / "pages" / "html5_article_time.html").read_bytes()
    config = load_config(tmp_path)
    profiles = build.load_site_profiles(config)
    with Store(tmp_path / ".sitegen") as store:
        for n, expect in ((parallel.CLEAN_CHUNK - 1, []), (parallel.CLEAN_CHUNK, [1])):
            for i in range(n):
                (content / f"p{i}.html").write_bytes(page + f"<!-- {n} -->".encode())
            calls.clear()
            sources = build.scan_sources(config.content_dir)
            parallel.refresh_records(sources, store, profiles, config, "v", jobs=1)
            assert calls == expect, n
