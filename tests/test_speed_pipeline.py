"""The cold-build pipeline around the cleaner and the templates: workers that store what they
clean themselves, and a brand-new site written in place of the staging folder. Behaviour only
(timings live in bench/)."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

from sitegen.build import build
from sitegen.config import load_config

from conftest import bump_mtime, make_site


def md(i: int) -> str:
    return (f"---\ntitle: 文章{i}\ndate: 2024-03-{1 + i % 28:02d}\ntags: [经济, 标签{i % 5}]\n---\n\n"
            + "\n\n".join(f"第{i}篇第{p}段，记者报道政府部门的会议。" for p in range(4)) + "\n")


def site(root: Path, n: int = 80, **extra: str | bytes) -> Path:
    pages: dict[str, str | bytes] = {f"a/{i:03d}.md": md(i) for i in range(n)}
    pages.update(extra)
    return make_site(root, pages, 'title = "测试"\npage_size = 5\nsearch = false\nmax_page_bytes = 4000\n')


def rows(root: Path) -> dict[str, list]:
    db = sqlite3.connect(root / ".sitegen" / "store.sqlite")
    try:
        return {t: db.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in ("results", "bodies")}
    finally:
        db.close()


def tree(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def cold(root: Path, jobs: int):
    shutil.rmtree(root / "_site", ignore_errors=True)
    shutil.rmtree(root / ".sitegen", ignore_errors=True)
    return build(load_config(root), jobs=jobs, progress=False)


def test_workers_store_the_same_rows_as_one_process(tmp_path):
    root = site(tmp_path / "s")
    (root / "content/a/big.md").write_text("---\ntitle: 大\n---\n" + "字" * 2000, encoding="utf-8")
    one = cold(root, 1)
    serial, site1 = rows(root), tree(root / "_site")
    two = cold(root, 2)
    assert (two.cleaned, two.reused, two.articles) == (one.cleaned, one.reused, one.articles) == (81, 0, 80)
    assert rows(root) == serial
    assert tree(root / "_site") == site1
    assert two.errors == [("a/big.md", "file is larger than max_page_bytes (4000)")]


def test_a_touched_source_is_restamped_by_the_workers_not_cleaned(tmp_path):
    root = site(tmp_path / "s")
    build(load_config(root), jobs=2, progress=False)
    before = {r[0]: r for r in rows(root)["results"]}
    for i in range(0, 80, 2):
        bump_mtime(root / f"content/a/{i:03d}.md")
    (root / "content/a/001.md").write_text(md(1).replace("第1篇", "改过的第1篇"), encoding="utf-8")
    report = build(load_config(root), jobs=2, progress=False)
    assert (report.cleaned, report.reused) == (1, 79)
    after = {r[0]: r for r in rows(root)["results"]}
    for i in range(0, 80, 2):  # only the stamp changed, and it is the file's
        rel = f"a/{i:03d}.md"
        st = os.stat(root / "content" / rel)
        assert after[rel][4] == f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}" != before[rel][4]
        assert after[rel][:4] + after[rel][5:] == before[rel][:4] + before[rel][5:]
    assert after["a/001.md"][1] != before["a/001.md"][1]
