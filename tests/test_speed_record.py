"""Record.to_dict without dataclasses.asdict: the same dict."""

from __future__ import annotations


def test_record_to_dict_is_asdict() -> None:
    """Record.to_dict builds the dict directly: the same as dataclasses.asdict (lists for tuples)."""
    from dataclasses import asdict

    from sitegen.record import Record

    r = Record(title="标题", body_html="<p>正文</p>", source_path="a/b.html", source_hash="0" * 64,
               date="2021-05-20", tags=("甲", "乙"), source="来源", url="https://e.org/a", author=None,
               language="zh-CN", summary="摘要", warnings=("w",))
    want = asdict(r)
    want["tags"], want["warnings"] = list(r.tags), list(r.warnings)
    assert r.to_dict() == want and list(r.to_dict()) == list(want)
    assert Record.from_dict(r.to_dict()) == r


def test_a_digest_the_caller_made_is_the_one_stored() -> None:
    """clean_bytes / read_markdown take the sha256 the caller made (parallel._read_one makes
    one to compare with the store) instead of hashing the page again: the same record."""
    import hashlib

    from sitegen.clean import clean_bytes, load_profiles
    from sitegen.mdsource import read_markdown

    html = ("<html><head><title>标题</title></head><body><div class='article'><h1>标题</h1>"
            + "<p>俄罗斯总统新闻秘书佩斯科夫称，商业谈判仍在继续，我们毫不怀疑将达成所有必要的协议。</p>" * 4
            + "</div></body></html>").encode()
    md = "---\ntitle: 标题\n---\n\n正文第一段。\n".encode()
    profiles = load_profiles()
    for data, run in ((html, lambda d, **kw: clean_bytes(d, rel_path="a.html", profiles=profiles, **kw)),
                      (md, lambda d, **kw: read_markdown(d, rel_path="a.md", **kw))):
        digest = hashlib.sha256(data).hexdigest()
        plain, given = run(data), run(data, source_hash=digest)
        assert plain.record is not None and plain == given and given.record.source_hash == digest
