"""The cleaner on the development corpus (../shared/corpus), scored with its own score.py."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from sitegen.clean import clean_file, load_profiles

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
NON_ARTICLE_PAGES = {  # from SOURCES.md: every one must be skipped
    "voa_topic_index", "ftchinese_tag_index", "huxiu_search_index", "eventbrite_event_page",
    "gne_netease_forum_list", "gne_tieba_list", "gb2312_newssc_forum_thread", "undeclared_gbk_zol_forum",
}

pytestmark = pytest.mark.skipif(not (CORPUS / "score.py").exists(),
                                reason=f"development corpus not found at {CORPUS}")


@pytest.fixture(scope="module")
def results():
    profiles = load_profiles()
    out = {}
    for page in sorted((CORPUS / "pages").glob("*.html")):
        out[page.stem] = clean_file(page, rel_path=page.name, profiles=profiles)
    return out


@pytest.fixture(scope="module")
def score():
    spec = importlib.util.spec_from_file_location("corpus_score", CORPUS / "score.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_every_page_cleans_without_error(results):
    assert len(results) >= 30
    errors = {k: r.reason for k, r in results.items() if r.kind == "error"}
    assert not errors


def test_non_article_pages_are_skipped(results):
    for name in NON_ARTICLE_PAGES & set(results):
        r = results[name]
        assert r.kind not in ("article", "error"), (name, r.kind)
        assert r.reason


def test_article_pages_have_title_and_body(results):
    for name, r in results.items():
        if name in NON_ARTICLE_PAGES:
            continue
        assert r.kind == "article", (name, r.kind, r.reason)
        assert r.record.title and len(r.record.body_text) >= 50, name
        assert "<script" not in r.record.body_html.lower()


def test_scores_against_expected(results, score):
    rows = []
    for gold_path in sorted((CORPUS / "expected").glob("*.json")):
        gold = json.loads(gold_path.read_text("utf-8"))
        r = results[gold_path.stem]
        rows.append((gold_path.stem, score.score_record(r.to_json(), gold)))
    mean_f1 = sum(s["F1"] for _, s in rows) / len(rows)
    assert mean_f1 >= 0.97, [(n, round(s["F1"], 3)) for n, s in rows]
    assert all(s["title_ok"] for _, s in rows), [n for n, s in rows if not s["title_ok"]]
    assert all(s["tags_ok"] for _, s in rows), [n for n, s in rows if not s["tags_ok"]]
    # Every date exact, but one where we disagree with the hand-written record on purpose:
    # gbk_163tech_article has <span class="con1_date">2015-06-19 11:20:11</span> directly under
    # the article's own <h2> title and author (its lead image is under .../2015/6/19/ too), while
    # expected/ says the page has no date. The general rule "a date line right under the title"
    # gives the page's date; we keep the rule rather than special-case the page.
    misses = [n for n, s in rows if not s["date_ok"]]
    assert set(misses) <= {"gbk_163tech_article"}, misses
    if "gbk_163tech_article" in results:
        assert results["gbk_163tech_article"].record.date[:10] == "2015-06-19"
