"""A key source's thing that is gone from the database (an exercise's alarm purged) leaves the shared
picture at once: the follower's rebuild deletes its published keys, and only its own."""

from __future__ import annotations

import datetime as dt

from modes.common.picture import KEY_SOURCES, KeySource, StateItem, Touched, rebuild

NOW = dt.datetime(2026, 3, 2, 9, 0)


def test_the_keys_of_a_gone_thing_are_deleted_and_no_other(monkeypatch):
    existing = {"70": [b"seventy"], "8": [b"eight"]}  # what the database still holds, by thing id

    def build(session, now, ids):
        wanted = existing if ids is None else {i: existing[i] for i in ids if i in existing}
        return {f"/drill/{i}/230102": StateItem(body) for i, bodies in wanted.items() for body in bodies}

    monkeypatch.setitem(KEY_SOURCES, "drill", KeySource("drill", "/drill/", build))
    published = {
        "/drill/7/230102": b"seven",  # thing 7: gone from the database
        "/drill/7/230103": b"seven",
        "/drill/70/230102": b"seventy",  # its id begins like 7's
        "/drill/8/230102": b"eight",
        "/case/7": b"a case",
    }
    touched = Touched()
    for thing in ("7", "70"):
        touched.thing("drill", thing)
    fresh = rebuild(None, touched, NOW, published=published)
    assert {k: v.body for k, v in fresh.items()} == {
        "/drill/7/230102": b"",
        "/drill/7/230103": b"",
        "/drill/70/230102": b"seventy",
    }
