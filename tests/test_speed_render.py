"""The render environment looks ``x.name`` up on plain dicts as a key directly: it must give
what Jinja's own lookup gives (dict methods first, then keys, else the strict undefined)."""

from __future__ import annotations

import collections

import jinja2
import pytest

from sitegen.render import _Environment

TEMPLATES = [
    "{{ d.title }}|{{ d.nested.deep }}|{% for k, v in d.items() %}{{ k }}={{ v is mapping }};{% endfor %}",
    "{{ d.items is callable }}|{{ d['items'] }}|{{ d.get('title') }}|{{ d.keys() | list | length }}",
    "{{ o.real }}|{{ od.title }}|{{ od.items is callable }}|{{ s.upper() }}",
    "{{ d.missing is defined }}|{{ d.title is defined }}",
]
CONTEXT = {
    "d": {"title": "标题<b>", "nested": {"deep": 1}, "items": "a key named like a method"},
    "o": 3 + 4j,
    "od": collections.OrderedDict(title="有序", items="x"),
    "s": "abc",
}


def environments():
    kw = dict(undefined=jinja2.StrictUndefined, autoescape=True)
    return jinja2.Environment(**kw), _Environment(**kw)


@pytest.mark.parametrize("source", TEMPLATES)
def test_same_as_jinja(source: str) -> None:
    stock, ours = environments()
    assert ours.from_string(source).render(CONTEXT) == stock.from_string(source).render(CONTEXT)


def test_a_missing_key_is_still_an_error() -> None:
    for env in environments():
        with pytest.raises(jinja2.UndefinedError):
            env.from_string("{{ d.missing }}").render(CONTEXT)
