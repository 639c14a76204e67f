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
