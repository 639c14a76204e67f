"""A rebuild after edits that change only articles' bodies (``build._bodies_only``): it renders
those articles' own pages from the last build's outline of the site, without collecting the
site, and what it leaves must be what a clean build of the same sources gives, byte for byte."""

from __future__ import annotations

import random
from pathlib import Path
from urllib.parse import quote

import pytest

import sitegen.build as build_module
from sitegen import shortcut
from sitegen.build import build
from sitegen.config import load_config
from sitegen.store import Store

from test_incremental import TAGS, WORDS, assert_same_site, clean_build_of, tree, write

HOST = "https://www.bannedbook.org"


def rel_of(n: int, day: int) -> str:
    return f"bnews/cbnews/2024{1 + day // 28:02d}{1 + day % 28:02d}/{100000 + n}.html"


def long_page(rng: random.Random, rel: str, title: str, tags: list[str], tail: str = "") -> str:
    """A bannedbook page whose first paragraph is longer than a summary (so its end can change
    and its summary not); ``tail``: markup at the end of the article's text."""
    links = "".join(f'<a href="{HOST}/bnews/tag/{quote(t)}/" rel="tag">{t}</a>，' for t in tags)
    first = "".join(rng.choice(WORDS) for _ in range(120)) + "。"
    more = "".join("<p>" + "".join(rng.choice(WORDS) for _ in range(30)) + "。</p>" for _ in range(rng.randint(1, 3)))
    return (f'<link rel="canonical" href="{HOST}/{rel}"><h2>{title}</h2> <p class="notice"><b>大陆网友注意：请勿点击。</b></p>'
            f'<div class="entry"><p>{first}{links}</p>{more}<p>{tail}</p><p class="src-info">来源：晨钟日报 </p></div>')


class Site:
    def __init__(self, root: Path, n: int, seed: int, search: bool = False):
        self.root, self.rng, self.counter = root, random.Random(seed), n
        self.pages: dict[str, tuple[str, list[str], str]] = {}  # rel -> (title, tags, tail)
        self.seeds: dict[str, int] = {}
        for i in range(n):
            self.put(rel_of(i, self.rng.randrange(120)), f"文章{i}", self.rng.sample(TAGS, self.rng.randint(1, 3)), "")
        (root / "sitegen.toml").write_text(f'title = "测试"\npage_size = 3\nsearch = {str(search).lower()}\n',
                                           encoding="utf-8")

    def put(self, rel: str, title: str, tags: list[str], tail: str) -> None:
        seed = self.seeds.setdefault(rel, self.rng.randrange(10**9))
        self.pages[rel] = (title, tags, tail)
        write(self.root / "content" / rel, long_page(random.Random(seed), rel, title, tags, tail))

    def body_edit(self) -> str:
        """Change only the end of an article's text: words, a link to another article, a link out."""
        rel = self.rng.choice(sorted(self.pages))
        title, tags, _ = self.pages[rel]
        other = self.rng.choice(sorted(self.pages))
        tail = self.rng.choice([
            "补充" + "".join(self.rng.choice(WORDS) for _ in range(5)) + "。",
            f'见<a href="{HOST}/{other}">另一篇</a>。',
            f'见<a href="https://example.com/{self.rng.randrange(10**6)}">外站</a>。',
            "",
        ])
        self.put(rel, title, tags, tail + f"<!-- {self.rng.random()} -->")  # (the bytes always change)
        return rel


def output_keys(root: Path) -> dict[str, str]:
    with Store(root / ".sitegen") as store:
        return {p: k for p, (k, _) in store.output_stamps().items()}


def same_as_clean(root: Path, tmp: Path) -> None:
    """The site and its memo keys are a clean build's (a key a full build would not give means
    the next full build renders the page again for nothing)."""
    fresh = tmp / f"clean-{random.randrange(10**9)}"
    (fresh / "content").parent.mkdir(parents=True)
    import shutil

    shutil.copytree(root / "content", fresh / "content")
    shutil.copy(root / "sitegen.toml", fresh / "sitegen.toml")
    built(fresh)
    assert_same_site(tree(root / "_site"), tree(fresh / "_site"))
    assert output_keys(root) == output_keys(fresh)


def built(root: Path, **kw):
    return build(load_config(root), jobs=1, progress=False, **kw)


def no_collect(monkeypatch):
    monkeypatch.setattr(build_module, "collect", lambda *a, **k: pytest.fail("the site was collected"))


def test_body_edits_render_only_their_pages_and_equal_a_clean_build(tmp_path, monkeypatch):
    site = Site(tmp_path / "site", 16, seed=3)
    built(site.root)
    for _ in range(6):
        with monkeypatch.context() as m:
            no_collect(m)
            edited = {site.body_edit() for _ in range(site.rng.randint(1, 3))}
            report = built(site.root)
        assert report.cleaned == len(edited) and report.rendered <= len(edited)
        assert report.articles == 16 and report.outputs == len(tree(site.root / "_site"))
        same_as_clean(site.root, tmp_path)
    # a touched file (same bytes): nothing rendered or written, and still no collecting
    victim = site.root / "content" / sorted(site.pages)[0]
    victim.touch()
    with monkeypatch.context() as m:
        no_collect(m)
        report = built(site.root)
    assert (report.cleaned, report.rendered, report.written) == (0, 0, 0)
    assert shortcut_took(built(site.root))  # and what it remembered holds


def shortcut_took(report) -> bool:
    return report.cleaned == 0 and report.rendered == 0 and set(report.timings) == {"read"}


def test_what_a_body_edit_cannot_change_takes_the_full_build(tmp_path, monkeypatch):
    site = Site(tmp_path / "site", 10, seed=4)
    built(site.root)
    calls = []
    real = build_module.collect
    monkeypatch.setattr(build_module, "collect", lambda *a, **k: calls.append(1) or real(*a, **k))
    rel = sorted(site.pages)[2]
    title, tags, tail = site.pages[rel]
    for change in ("title", "tags", "summary"):
        if change == "title":
            title += "改"
        elif change == "tags":
            tags = [t for t in TAGS if t not in tags][:1] + tags
        seed = site.seeds[rel]
        site.put(rel, title, tags, tail)
        if change == "summary":  # the start of its text: its summary changes
            text = (site.root / "content" / rel).read_text(encoding="utf-8")
            write(site.root / "content" / rel, text.replace('<div class="entry"><p>', '<div class="entry"><p>开头改了。', 1))
        calls.clear()
        report = built(site.root)
        assert calls and report.cleaned == 1, change
        assert_same_site(tree(site.root / "_site"), clean_build_of(site.root, tmp_path))
        site.seeds[rel] = seed


def test_a_torn_or_foreign_outline_is_not_trusted(tmp_path, monkeypatch):
    site = Site(tmp_path / "site", 8, seed=5)
    built(site.root)
    with Store(site.root / ".sitegen") as store:
        raw = store.get_meta(shortcut.OUTLINE_KEY)
        assert isinstance(raw, bytes)
        store.set_meta(shortcut.OUTLINE_KEY, raw[:-7] + b"\x00" * 7)
    calls = []
    real = build_module.collect
    monkeypatch.setattr(build_module, "collect", lambda *a, **k: calls.append(1) or real(*a, **k))
    site.body_edit()
    built(site.root)
    assert calls  # not trusted: the full build ran
    assert_same_site(tree(site.root / "_site"), clean_build_of(site.root, tmp_path))
    calls.clear()
    site.body_edit()
    built(site.root)
    assert not calls  # the full build remembered a good one again


def test_with_search_on_a_body_edit_takes_the_full_build(tmp_path, monkeypatch):
    from sitegen import search as search_module

    monkeypatch.setattr(search_module, "index_site", lambda articles, old, out, lang, *a: {})  # (no Pagefind run)
    site = Site(tmp_path / "site", 6, seed=6, search=True)
    built(site.root)
    calls = []
    real = build_module.collect
    monkeypatch.setattr(build_module, "collect", lambda *a, **k: calls.append(1) or real(*a, **k))
    site.body_edit()
    built(site.root)
    assert calls  # the search index covers bodies: the full build runs


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_random_edits_of_every_kind_equal_clean_builds(tmp_path, seed):
    """Body edits among additions, removals, title and tag changes: whichever way each build
    goes, the site is a clean build's."""
    site = Site(tmp_path / f"site{seed}", 12, seed=seed)
    built(site.root)
    fast = 0
    for _ in range(8):
        op = site.rng.choice(["body", "body", "body", "add", "delete", "title", "tags"])
        if op == "body" or len(site.pages) < 4:
            site.body_edit()
        elif op == "add":
            site.counter += 1
            site.put(rel_of(site.counter, site.rng.randrange(120)), f"新文章{site.counter}",
                     site.rng.sample(TAGS, 2), "")
        elif op == "delete":
            rel = site.rng.choice(sorted(site.pages))
            (site.root / "content" / rel).unlink()
            del site.pages[rel]
        else:
            rel = site.rng.choice(sorted(site.pages))
            title, tags, tail = site.pages[rel]
            site.put(rel, title + "改" if op == "title" else title, tags if op == "title" else tags[:1] + ["AI"], tail)
        report = built(site.root)
        fast += "taxonomy" not in report.timings
        same_as_clean(site.root, tmp_path)
    assert fast >= 1


def test_a_changed_output_folder_takes_the_full_build(tmp_path, monkeypatch):
    """The output folder is checked last (it runs meanwhile): a page spoilt behind the build's
    back is found, nothing of the attempt is committed, and the full build puts it right."""
    site = Site(tmp_path / "site", 8, seed=8)
    built(site.root)
    (site.root / "_site/index.html").write_text("spoilt", encoding="utf-8")
    site.body_edit()
    calls = []
    real = build_module.collect
    monkeypatch.setattr(build_module, "collect", lambda *a, **k: calls.append(1) or real(*a, **k))
    report = built(site.root)
    assert calls and list(report.timings) == ["read", "clean", "taxonomy", "render", "search", "write"]
    same_as_clean(site.root, tmp_path)
