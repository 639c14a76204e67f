"""Where links between articles lead (``links.LinkIndex``): the targets found in bulk before a
build plans its articles (``find_all``) are those found one href at a time."""

from __future__ import annotations

import random

from sitegen.links import LinkIndex
from sitegen.taxonomy import Entry


def _entry(i: int, host: str) -> Entry:
    rel = f"bnews/x/2024010{i % 9 + 1}/{1000 + i}.html"
    return Entry(rel, rel, f"t{i}", "2024-01-01", ("经济",), None, f"https://{host}/{rel}", None, None, "", "k")


def _hrefs(rng: random.Random, entries: list[Entry]) -> list[str]:
    hosts = ["www.bannedbook.org", "BANNEDBOOK.org", "example.com", "www.example.com", "news.example.net",
             "bannedbook.org:8080", "user@bannedbook.org", "[::1]", "xn--fiqs8s.cn"]
    out = []
    for _ in range(3000):
        e = rng.choice(entries)
        path = rng.choice([f"/{e.id}", "/bnews/tag/经济/", "/bnews/tag/%E7%BB%8F%E6%B5%8E/", "/", "/a?b=1#c",
                           f"/{e.id}#frag", f"/{e.id}?utm=1", "/nowhere.html", ""])
        form = rng.randrange(6)
        if form == 0:
            out.append(f"{rng.choice(['http', 'https', 'HTTP'])}://{rng.choice(hosts)}{path}")
        elif form == 1:
            out.append(f"//{rng.choice(hosts)}{path}")
        elif form == 2:
            out.append(path or "/")
        elif form == 3:
            out.append(rng.choice(["mailto:a@b.c", "javascript:void(0)", "#top", "relative/page.html", "", " "]))
        elif form == 4:
            out.append(e.url)
        else:
            out.append(f"https://{rng.choice(hosts)}{path}".replace("/", rng.choice(["/", "//"]), 3))
    return out


def test_targets_found_in_bulk_equal_those_found_one_by_one():
    rng = random.Random(7)
    entries = [_entry(i, rng.choice(["www.bannedbook.org", "bannedbook.org"])) for i in range(40)]
    lists = [_hrefs(rng, entries)[i:i + 7] for i in range(0, 3000, 7)]
    bulk = LinkIndex.make(entries, {}, {"经济": "jing-ji"})
    bulk.find_all(lists)
    one = LinkIndex.make(entries, {}, {"经济": "jing-ji"})
    hrefs = [h for hs in lists for h in hs]
    assert len(bulk.targets) == len(set(hrefs))  # every href found, in one pass
    inside = 0
    for h in hrefs:
        assert bulk.targets[h] == one._find(h) == one.target(h), h
        inside += bulk.targets[h] is not None
    assert 100 < inside < len(hrefs) - 100  # both kinds of link were tried
