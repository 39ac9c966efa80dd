"""The checks every converter's hand labels pass (``tools/*_realdata.py``): holds in order, apart and
``min_hold`` long, steps joining two holds the way the levels go, releases ending a contact that held."""

from __future__ import annotations

from collections.abc import Mapping
from itertools import pairwise
from typing import Any


def assert_well_formed(labels: Mapping[str, Any], span: float, short: tuple[float, str] | None = None,
                       slack: float = 0.0) -> None:
    """``labels`` of a recording whose last sample is at ``span`` s (a hold may end ``slack`` after
    it: labelled to the file's end). ``short``: the start of the one hold allowed under 1.5 s and
    words its note must say it with."""
    holds = labels["holds"]
    for start, end, level in holds:
        assert 0 <= start < end <= span + slack and level > 0
        assert end - start >= 1.5 or (short is not None and start == short[0] and short[1] in labels["notes"])
    assert all(a[1] <= b[0] for a, b in pairwise(holds))  # in order, apart
    ends = {end: i for i, (_, end, _) in enumerate(holds)}
    for t, direction in labels["steps"]:  # a step ends a hold and leads to the next, up or down
        i = ends[t]
        assert i + 1 < len(holds) and direction == ("up" if holds[i + 1][2] > holds[i][2] else "down")
    for t in labels["releases"]:  # a release ends the contact of a hold, before any next one
        assert 0 < t <= span and any(end <= t for _, end, _ in holds)
        assert not any(start <= t < end for start, end, _ in holds)
    assert labels["releases"] == sorted(labels["releases"]) and len(labels["releases"]) <= len(holds)
    assert [t for t, _ in labels["steps"]] == sorted(t for t, _ in labels["steps"])
