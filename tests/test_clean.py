"""The cleaner's public API: profiles, the seed page, errors and skips."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from sitegen.clean import CLEANER_VERSION, clean_bytes, clean_file, load_profiles, profiles_fingerprint
from sitegen.errors import ConfigError

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


@pytest.fixture(scope="module")
def profiles():
    return load_profiles()


def _score_module():
    path = CORPUS / "score.py"
    if not path.exists():
        pytest.skip(f"corpus not found at {CORPUS}")
    spec = importlib.util.spec_from_file_location("corpus_score", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_seed_page_matches_expected(profiles):
    score = _score_module()
    page = CORPUS / "pages" / "seed_bannedbook_fragment.html"
    gold = json.loads((CORPUS / "expected" / "seed_bannedbook_fragment.json").read_text("utf-8"))
    r = clean_file(page, rel_path="seed_bannedbook_fragment.html", profiles=profiles)
    assert r.kind == "article", r.reason
    got = r.to_json()
    assert got["title"] == gold["title"]
    assert got["tags"] == gold["tags"]
    assert got["source"] == gold["source"]
    assert got["date"] == gold["date"]
    s = score.score_record(got, gold)
    assert s["F1"] >= 0.99, s
    assert any("wordpress-bannedbook" in line for line in r.explain)
    body = r.record.body_html
    assert "wp_keywordlink" not in body and "大陆网友注意" not in body and "备注" not in body
    assert "op-related-articles" not in body and "翻墙" not in r.record.body_text
    rec = r.record
    assert rec.source_path == "seed_bannedbook_fragment.html"
    assert len(rec.source_hash) == 64 and rec.language == "zh-CN" and rec.summary


def test_profiles_fingerprint_is_stable(profiles):
    assert profiles_fingerprint(profiles) == profiles_fingerprint(load_profiles())
    assert CLEANER_VERSION


def test_errors_never_raise(profiles, tmp_path):
    assert clean_bytes(b"", rel_path="e.html", profiles=profiles).kind == "error"
    r = clean_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), rel_path="b.html", profiles=profiles)
    assert r.kind == "error" and "binary" in r.reason
    big = tmp_path / "big.html"
    big.write_bytes(b"<p>" + b"x" * 2000 + b"</p>")
    r = clean_file(big, rel_path="big.html", profiles=profiles, max_bytes=1000)
    assert r.kind == "error" and "too large" in r.reason
    r = clean_file(tmp_path / "missing.html", rel_path="missing.html", profiles=profiles)
    assert r.kind == "error" and "unreadable" in r.reason


def test_user_profile_bad_file_names_file_and_problems(tmp_path):
    d = tmp_path / "profiles"
    d.mkdir()
    (d / "mine.toml").write_text('name = ""\nbogus = 1\n[match]\nsignatures = [["div..x"]]\n', "utf-8")
    with pytest.raises(ConfigError) as ei:
        load_profiles(tmp_path)
    msg = str(ei.value)
    assert "mine.toml" in msg and "bogus" in msg and "name" in msg and "div..x" in msg
    assert len(ei.value.problems) >= 3


def test_user_profile_claims_page(tmp_path):
    d = tmp_path / "profiles"
    d.mkdir()
    (d / "mine.toml").write_text(
        'name = "mine"\ndrop = ["p.from", "div.ad"]\n[match]\nhosts = ["example.org"]\n'
        '[fields]\ntitle = ["h1.t"]\nbody = ["div.story"]\ntags = ["a.kw"]\n'
        'source = [{ selector = "p.from", pattern = \'来源：(.+)\' }]\n'
        'date = [{ from = "url", pattern = \'/(\\d{8})/\' }]\n'
        , "utf-8")
    profiles = load_profiles(tmp_path)
    page = ('<html><head><link rel="canonical" href="https://www.example.org/n/20240102/1.html"></head><body>'
            '<h1 class="t">标题一</h1><div class="story"><p>第一段正文，有足够的文字。<a class="kw" href="/k/a">甲</a></p>'
            '<div class="ad">广告</div><p class="from">来源：某报</p></div></body></html>').encode()
    r = clean_bytes(page, rel_path="x.html", profiles=profiles)
    assert r.kind == "article"
    rec = r.record
    assert (rec.title, rec.tags, rec.source, rec.date) == ("标题一", ("甲",), "某报", "2024-01-02")
    assert "广告" not in rec.body_text and "来源" not in rec.body_text
    assert any("'mine'" in line for line in r.explain)
