"""Warm builds (``session.Session``, what ``sitegen serve`` keeps between builds) give the site a
clean build gives, byte for byte, whether the changed paths are told or found by a scan, and a
session that no longer describes the store or the site is dropped."""

from __future__ import annotations

import os
import random
import shutil
from pathlib import Path

import pytest

from sitegen.build import build
from sitegen.config import load_config
from sitegen.errors import BuildError
from sitegen.session import Session

from test_incremental import assert_same_site, clean_build_of, make, random_change, tree, write


def stamps(content: Path) -> dict[str, tuple]:
    out = {}
    for dirpath, _, files in os.walk(content):
        for name in files:
            p = os.path.join(dirpath, name)
            st = os.stat(p)
            out[p] = (st.st_size, st.st_mtime_ns, st.st_ino)
    return out


def watcher_paths(before: dict, after: dict) -> list[str]:
    """What a watcher reports: every file created, modified, removed or moved (both ends)."""
    return sorted({p for p in before.keys() | after.keys() if before.get(p) != after.get(p)})


def warm_site(tmp_path: Path, n: int):
    """A generated site of ``n`` pages built once with a new session: (root, config, session)."""
    root = make(tmp_path / "site", n)
    cfg = load_config(root)
    session = Session()
    build(cfg, jobs=1, progress=False, session=session)
    return root, cfg, session


@pytest.mark.parametrize("told", [True, False], ids=["paths-told", "scan"])
def test_warm_builds_equal_clean_builds_after_random_changes(tmp_path, told):
    for seed in (1, 2, 3):
        rng = random.Random(seed)
        root = make(tmp_path / f"site{seed}", 16, seed=seed)
        cfg = load_config(root)
        session = Session()
        first = build(cfg, jobs=1, progress=False, session=session)
        assert first.cleaned == 16
        counter = [1000]
        for _ in range(5):
            before = stamps(root / "content")
            ops = [random_change(rng, root, counter) for _ in range(rng.randint(1, 4))]
            changed = watcher_paths(before, stamps(root / "content")) if told else None
            report = build(cfg, jobs=1, progress=False, session=session, changed=changed)
            assert report.errors == [], ops
            assert session.outputs is not None  # it stayed warm
            assert_same_site(tree(root / "_site"), clean_build_of(root, tmp_path))
        # and the store it left is the one a cold process trusts: nothing to redo
        cold = build(cfg, jobs=1, progress=False)
        assert cold.cleaned == 0 and cold.rendered == 0 and cold.written == 0


def test_warm_edit_reads_only_what_changed(tmp_path):
    root, cfg, session = warm_site(tmp_path, 12)
    victim = sorted((root / "content").rglob("*.html"))[3]
    # the end of its text (an edit of the notice, which cleaning drops, renders nothing)
    write(victim, victim.read_text(encoding="utf-8").replace('</p><ul class="op-related-articles">',
                                                           '补充内容。</p><ul class="op-related-articles">', 1))
    report = build(cfg, jobs=1, progress=False, session=session, changed=[str(victim)])
    assert report.cleaned == 1 and report.reused == 11
    assert 1 <= report.rendered <= 8  # its page, the list pages showing it, its neighbours
    # a touched file with the same bytes: read and hashed, nothing rendered or written
    os.utime(victim, ns=(victim.stat().st_atime_ns, victim.stat().st_mtime_ns + 10**9))
    again = build(cfg, jobs=1, progress=False, session=session, changed=[str(victim)])
    assert again.cleaned == 0 and again.rendered == 0 and again.written == 0


def test_removed_folder_and_stale_outputs(tmp_path):
    root, cfg, session = warm_site(tmp_path, 12)
    folder = sorted((root / "content").rglob("*.html"))[0].parent
    gone = [(root / "_site" / p.relative_to(root / "content")) for p in folder.glob("*.html")]
    assert gone and all(p.is_file() for p in gone)
    shutil.rmtree(folder)
    report = build(cfg, jobs=1, progress=False, session=session, changed=[str(folder)])
    assert report.removed >= len(gone)
    assert not any(p.exists() for p in gone)
    assert_same_site(tree(root / "_site"), clean_build_of(root, tmp_path))


def test_another_process_writing_the_store_drops_the_session(tmp_path):
    root, cfg, session = warm_site(tmp_path, 8)
    assert session.outputs is not None
    victim = sorted((root / "content").rglob("*.html"))[2]
    write(victim, victim.read_text(encoding="utf-8").replace("</p>", "别处改的。</p>", 1))
    build(cfg, jobs=1, progress=False)  # another process (a plain `sitegen build`) changes the site
    # the session is not told of the edit; it must notice the store moved on and start cold
    (root / "_site" / "index.html").unlink()
    report = build(cfg, jobs=1, progress=False, session=session, changed=[])
    assert (root / "_site" / "index.html").is_file()
    assert report.written >= 1
    assert_same_site(tree(root / "_site"), clean_build_of(root, tmp_path))


def test_failed_warm_build_leaves_site_and_recovers(tmp_path):
    root, cfg, session = warm_site(tmp_path, 8)
    site_before = tree(root / "_site")
    templates = root / "templates"
    templates.mkdir()
    (templates / "article.html").write_text("{% if %}broken", encoding="utf-8")
    victim = sorted((root / "content").rglob("*.html"))[1]
    write(victim, victim.read_text(encoding="utf-8").replace("</p>", "新的一句。</p>", 1))
    with pytest.raises(BuildError):
        build(cfg, jobs=1, progress=False, session=session, changed=[str(victim)])
    assert tree(root / "_site") == site_before
    assert session.outputs is None  # dropped: the next build starts cold
    shutil.rmtree(templates)
    build(cfg, jobs=1, progress=False, session=session, changed=[])
    assert_same_site(tree(root / "_site"), clean_build_of(root, tmp_path))


def test_warm_title_edit_reaches_neighbours_and_lists(tmp_path):
    """Only the edited record is new: its neighbours' pages and the lists showing it, whose own
    entries are unchanged objects, must still change."""
    root, cfg, session = warm_site(tmp_path, 12)
    before = tree(root / "_site")
    victim = sorted((root / "content").rglob("*.html"))[5]
    text = victim.read_text(encoding="utf-8")
    write(victim, text.replace("</h2>", "（更新）</h2>", 1))
    build(cfg, jobs=1, progress=False, session=session, changed=[str(victim)])
    after = tree(root / "_site")
    assert_same_site(after, clean_build_of(root, tmp_path))
    shown = [p for p in after if p.endswith(".html") and "（更新）".encode() in after[p]]
    own = victim.relative_to(root / "content").as_posix()
    assert own in shown and len([p for p in shown if p != own and not p.startswith(("index", "page/", "tags/", "archive/"))]) >= 1
    assert all(after[p] != before[p] for p in shown)


def test_a_static_file_removed_from_the_theme_leaves_the_site(tmp_path):
    root = make(tmp_path / "site", 6)
    (root / "templates/static").mkdir(parents=True)
    (root / "templates/static/extra.css").write_text("body{}", encoding="utf-8")
    cfg = load_config(root)
    session = Session()
    build(cfg, jobs=1, progress=False, session=session)
    assert (root / "_site/static/extra.css").is_file()
    (root / "templates/static/extra.css").unlink()
    report = build(cfg, jobs=1, progress=False, session=session, changed=[])
    assert report.removed == 1 and not (root / "_site/static/extra.css").exists()
    assert_same_site(tree(root / "_site"), clean_build_of(root, tmp_path))


def test_the_preview_builds_warm_after_content_edits_and_cold_after_profile_or_config(tmp_path, monkeypatch):
    from sitegen import build as build_module
    from sitegen.serve import LiveSite

    root = make(tmp_path / "site", 8)
    site = LiveSite(root, log=lambda _: None)
    site.build(("initial",))
    assert site.session.outputs is not None
    victim = sorted((root / "content").rglob("*.html"))[2]
    write(victim, victim.read_text(encoding="utf-8").replace('<div class="entry"><p>', '<div class="entry"><p>预览里改的。', 1))
    scan = build_module.scan_sources
    monkeypatch.setattr(build_module, "scan_sources", lambda d: pytest.fail("a warm build told the paths scanned"))
    site.build(("content",), [str(victim)])
    monkeypatch.setattr(build_module, "scan_sources", scan)
    assert site.session.outputs is not None and site.session.sources[victim.relative_to(root / "content").as_posix()].stamp
    assert "预览里改的".encode() in (root / "_site" / victim.relative_to(root / "content")).read_bytes()
    (root / "profiles").mkdir()
    (root / "profiles/x.toml").write_text('name = "x"\n[match]\nhosts = ["example.invalid"]\n', encoding="utf-8")
    site.session.outputs["sentinel"] = ("k", "s")  # a profile change must not reuse this state
    site.build(("profile",), [str(root / "profiles/x.toml")])
    assert "sentinel" not in (site.session.outputs or {})
    assert_same_site(tree(root / "_site"), clean_build_of(root, tmp_path))
    site.session.close()
