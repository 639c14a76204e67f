"""Incremental, parallel and interrupted builds all give the site a clean build gives, byte for byte."""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

from sitegen.build import build
from sitegen.config import load_config

from conftest import bump_mtime

TAGS = ["经济", "科技", "台湾", "香港", "C/C++", "教育", "AI", "体育"]
WORDS = "经济 发展 政府 部门 记者 报道 表示 会议 工作 建设 社会 国家 城市 农村 企业 市场 改革 创新".split()


def page(rng: random.Random, rel: str, title: str, tags: list[str]) -> str:
    """A page in the bannedbook WordPress markup, its tags as Simple-Tags links in the body."""
    links = "".join(f'<a href="https://www.bannedbook.org/bnews/tag/{quote(t)}/" class="st_tag internal_tag" '
                    f'rel="tag" title="标签 {t} 下的日志">{t}</a>，' for t in tags)
    paras = "".join("<p>" + "".join(rng.choice(WORDS) for _ in range(rng.randint(20, 40))) + "。"
                    + (links if i == 0 else "") + "</p>" for i in range(rng.randint(2, 4)))
    return (f'<link rel="canonical" href="https://www.bannedbook.org/{rel}"><h2>{title}</h2> <p class="notice"><b>大陆网友注意：请勿点击。</p><p>备注：翻墙看新闻非常安全。</b></p>'
            f'<div class="entry">{paras}<ul class="op-related-articles"><li><a href="https://www.bannedbook.org/'
            f'bnews/x/20990101/1.html">相关</a></li></ul><p class="src-info">来源：晨钟日报 </p>'
            f'<div class="banner-ads"><div id="ADSLOT1"></div></div></div>')


def rel_of(n: int, day: int) -> str:
    return f"bnews/cbnews/2024{1 + day // 28:02d}{1 + day % 28:02d}/{100000 + n}.html"


def make(root: Path, n: int, seed: int = 1, page_size: int = 4) -> Path:
    rng = random.Random(seed)
    for i in range(n):
        rel = rel_of(i, rng.randrange(200))
        write(root / "content" / rel, page(rng, rel, f"文章{i}", rng.sample(TAGS, rng.randint(1, 3))))
    (root / "sitegen.toml").write_text(f'title = "测试"\npage_size = {page_size}\nsearch = false\n', encoding="utf-8")
    return root


def write(path: Path, text: str) -> None:
    existed = path.exists()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    if existed:
        bump_mtime(path)


def tree(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def clean_build_of(root: Path, tmp: Path, jobs: int = 1) -> dict[str, bytes]:
    """The site a clean build of the same sources gives (fresh folder, no cache, no output)."""
    fresh = tmp / f"fresh-{time.monotonic_ns()}"
    shutil.copytree(root / "content", fresh / "content")
    shutil.copy(root / "sitegen.toml", fresh / "sitegen.toml")
    report = build(load_config(fresh), jobs=jobs, progress=False)
    assert report.cleaned == report.articles + len(report.skipped) + len(report.errors)
    return tree(fresh / "_site")


def assert_same_site(got: dict[str, bytes], want: dict[str, bytes]) -> None:
    assert sorted(got) == sorted(want)
    differ = [p for p in want if got[p] != want[p]]
    assert differ == []


def random_change(rng: random.Random, root: Path, counter: list[int]) -> str:
    content = root / "content"
    pages = sorted(p for p in content.rglob("*.html"))
    op = rng.choice(["edit", "add", "delete", "rename", "tags", "title", "touch", "md"])
    if op == "add" or not pages:
        counter[0] += 1
        rel = rel_of(counter[0], rng.randrange(200))
        write(content / rel, page(rng, rel, f"新文章{counter[0]}", rng.sample(TAGS, rng.randint(1, 3))))
        return "add"
    victim = rng.choice(pages)
    text = victim.read_text(encoding="utf-8")
    if op == "edit":
        # (at the end of the article's text: the first </p> is the notice's, which cleaning drops)
        write(victim, text.replace('</p><ul class="op-related-articles">', '补充内容。</p><ul class="op-related-articles">', 1))
    elif op == "delete":
        victim.unlink()
    elif op == "rename":  # a new path and a new date (from the URL)
        old_rel = victim.relative_to(content).as_posix()
        new_rel = rel_of(int(victim.stem) + 5000, rng.randrange(200))
        new = content / new_rel
        new.parent.mkdir(parents=True, exist_ok=True)
        victim.rename(new)
        if rng.random() < 0.5:
            write(new, text.replace(old_rel, new_rel))
    elif op == "tags":
        new_tag = rng.choice(TAGS + ["新标签", "另一个标签"])
        write(victim, text.replace(
            "</p>", f'<a href="https://www.bannedbook.org/bnews/tag/{quote(new_tag)}/" class="st_tag internal_tag" '
                    f'rel="tag">{new_tag}</a></p>', 1))
    elif op == "title":
        start, end = text.index("<h2>") + 4, text.index("</h2>")
        write(victim, text[:start] + text[start:end] + "（更新）" + text[end:])
    elif op == "touch":  # new mtime, same bytes
        bump_mtime(victim)
    elif op == "md":  # a hand-corrected record beside the mirrored page
        md = victim.with_suffix(".md")
        write(md, f"---\ntitle: 更正{victim.stem}\ndate: 2024-02-0{rng.randint(1, 9)}\ntags: [更正, 经济]\n---\n\n更正后的正文。\n")
    return op


def test_incremental_build_equals_clean_build_after_random_changes(tmp_path):
    for seed in (1, 2, 3):
        rng = random.Random(seed)
        root = make(tmp_path / f"site{seed}", 16, seed=seed)
        cfg = load_config(root)
        build(cfg, jobs=1, progress=False)
        counter = [1000]
        for _ in range(4):
            ops = [random_change(rng, root, counter) for _ in range(rng.randint(1, 4))]
            report = build(cfg, jobs=1, progress=False)
            assert report.errors == [], ops
            assert_same_site(tree(root / "_site"), clean_build_of(root, tmp_path))


def test_nothing_changed_renders_and_writes_nothing(tmp_path):
    root = make(tmp_path / "site", 12)
    cfg = load_config(root)
    build(cfg, jobs=1, progress=False)
    for p in (root / "content").rglob("*.html"):
        bump_mtime(p)  # touched, not changed: read and hashed, not cleaned
    again = build(cfg, jobs=1, progress=False)
    assert (again.cleaned, again.rendered, again.written, again.removed) == (0, 0, 0, 0)
    assert again.reused == 12
    third = build(cfg, jobs=1, progress=False)
    assert (third.cleaned, third.rendered, third.written) == (0, 0, 0)


def test_one_edit_rerenders_only_the_pages_that_show_it(tmp_path):
    root = make(tmp_path / "site", 30, page_size=5)
    cfg = load_config(root)
    build(cfg, jobs=1, progress=False)
    victim = sorted((root / "content").rglob("*.html"))[7]
    text = victim.read_text(encoding="utf-8")
    start, end = text.index("<h2>") + 4, text.index("</h2>")
    write(victim, text[:start] + "改过的标题" + text[end:])
    report = build(cfg, jobs=1, progress=False)
    assert report.cleaned == 1
    # exactly the pages that show its title are re-rendered and rewritten: its own page, its two
    # neighbours, the home page and the page of each of its tags (and archive month) it is listed on
    site = tree(root / "_site")
    changed = {p for p, data in site.items() if "改过的标题".encode() in data}
    own = victim.relative_to(root / "content").as_posix()
    assert own in changed
    kinds = sorted("article" if p.startswith("bnews/") else p.split("/")[0] for p in changed)
    assert kinds.count("article") == 3 and kinds.count("tags") <= 3
    assert sum(1 for p in changed if p == "index.html" or p.startswith("page/")) == 1
    assert report.rendered == report.written == len(changed) < len(site) // 5


def test_a_cleaner_change_that_changes_only_bodies_rerenders_their_pages(tmp_path, monkeypatch):
    """A new cleaner (or profile) re-cleans unchanged sources; when it changes a body and nothing
    a list shows (here: a rule at the end, no text), the article pages must still be re-rendered:
    the body key is the stored body's, not the source's."""
    import dataclasses

    import sitegen.build as build_module
    import sitegen.clean as clean_module
    from sitegen import shortcut

    root = make(tmp_path / "site", 8)
    cfg = load_config(root)
    build(cfg, jobs=1, progress=False)
    before = tree(root / "_site")
    real = build_module.clean_source

    def new_cleaner(*args, **kwargs):
        res = real(*args, **kwargs)
        if res.record is None:
            return res
        return dataclasses.replace(res, record=dataclasses.replace(res.record, body_html=res.record.body_html + "<hr>"))

    monkeypatch.setattr(build_module, "clean_source", new_cleaner)
    monkeypatch.setattr(clean_module, "CLEANER_VERSION", clean_module.CLEANER_VERSION + "-new")
    # (new cleaner code changes the files the whole-build shortcut hashes; here it is a patch)
    settings = shortcut.settings_fingerprint
    monkeypatch.setattr(shortcut, "settings_fingerprint", lambda *a: settings(*a) + "-new")
    report = build(cfg, jobs=1, progress=False)
    assert report.cleaned == 8
    after = tree(root / "_site")
    articles = [p for p in after if p.startswith("bnews/")]
    assert len(articles) == 8 and all(b"<hr" in after[p] and b"<hr" not in before[p] for p in articles)
    assert report.rendered == report.written == 8  # nothing else shows a body
    assert_same_site(after, clean_build_of(root, tmp_path))


def test_parallel_build_is_byte_identical_to_one_process(tmp_path):
    root = make(tmp_path / "site", 90, seed=7, page_size=3)
    one = build(load_config(root), jobs=1, progress=False)
    serial = tree(root / "_site")
    shutil.rmtree(root / "_site")
    shutil.rmtree(root / ".sitegen")
    two = build(load_config(root), jobs=2, progress=False)
    assert two.rendered == one.rendered and two.rendered > 64  # enough for the process pool
    assert_same_site(tree(root / "_site"), serial)
    # an incremental parallel build after changes, too
    rng = random.Random(5)
    counter = [5000]
    for _ in range(12):
        random_change(rng, root, counter)
    build(load_config(root), jobs=2, progress=False)
    assert_same_site(tree(root / "_site"), clean_build_of(root, tmp_path, jobs=1))


def test_sigkill_at_random_points_then_next_build_equals_clean_build(tmp_path):
    root = make(tmp_path / "site", 120, seed=11, page_size=3)
    cmd = [sys.executable, "-m", "sitegen", "build", "--root", str(root), "--jobs", "2"]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    t0 = time.monotonic()
    subprocess.run(cmd, check=True, capture_output=True, env=env)
    full = time.monotonic() - t0
    rng = random.Random(3)
    counter = [9000]
    killed = 0
    for round_ in range(8):
        for _ in range(rng.randint(1, 6)):
            random_change(rng, root, counter)
        if round_ % 3 == 0:  # sometimes from scratch (no output, cache kept) for a long build
            shutil.rmtree(root / "_site", ignore_errors=True)
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
                                start_new_session=True)
        time.sleep(rng.uniform(0.05, full))
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)  # the build and its worker processes, mid-flight
            killed += 1
        proc.wait()
    assert killed >= 3  # the test must have interrupted builds, not only watched them finish
    db = sqlite3.connect(root / ".sitegen/store.sqlite")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    assert_same_site(tree(root / "_site"), clean_build_of(root, tmp_path))
