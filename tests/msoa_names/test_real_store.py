"""The bundled demo has no MSOA names file (the House of Commons Library's is not in the shared
data), so every one of its 299 MSOAs is described by the wards its LSOAs lie in. Checked against the
store's own links, read here with SQL, not through the build's code."""

from __future__ import annotations

import re
from collections import Counter

from observatory.store import Store

WARDS_OF_LSOAS = """
SELECT m.parent AS msoa, w.name AS ward
FROM membership m JOIN areas l ON l.code = m.child AND l.level = 'lsoa'
JOIN membership mw ON mw.child = m.child AND mw.parent_level = 'ward'
JOIN areas w ON w.code = mw.parent
WHERE m.parent_level = 'msoa'
"""


def test_every_demo_msoa_is_described_by_the_wards_of_its_lsoas(store: Store) -> None:
    msoas = store.rows("SELECT code, name, local_name, local_name_kind FROM areas WHERE level = 'msoa'")
    assert len(msoas) == 299
    assert {m["local_name_kind"] for m in msoas} == {"wards"}
    per_msoa: dict[str, Counter] = {}
    for r in store.rows(WARDS_OF_LSOAS):
        per_msoa.setdefault(r["msoa"], Counter())[r["ward"]] += 1
    own_ward = store.parents_at("msoa", "ward")
    for m in msoas:
        counts = per_msoa.get(m["code"]) or Counter({own_ward[m["code"]]["name"]: 1})
        text = m["local_name"]
        more = re.search(r" and (\d+) more wards?$", text)
        body = text[len("in "):more.start()] if more else text[len("in "):]
        named = re.split(r" ward(?:, | and )", body.removesuffix(" ward"))
        # every named ward holds some of its LSOAs; the first holds the most; the rest are counted
        assert set(named) <= set(counts), (m["code"], text, counts)
        assert counts[named[0]] == max(counts.values()), (m["code"], text, counts)
        assert len(named) == min(2, len(counts))
        assert (int(more.group(1)) if more else 0) == len(counts) - len(named)
