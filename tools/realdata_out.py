"""A converted real recording and its hand labels, as ``score_detection.py --realdata`` reads them.

Shared by the converters of recordings that are not ours to copy (``gdx_realdata.py``,
``tindeq_realdata.py``): a plain ``t_s,force_N`` table (time to the microsecond, force exactly as read)
and ``NAME.labels.json`` beside it. Not the package's ``write_recording``: that adds its format line
and names the force column ``force_n``, and the labels name ``force_N``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any


def write_labelled(out: Path, name: str, rows: Iterable[tuple[float, float]], source: str,
                   labels: Mapping[str, Any]) -> None:
    """``OUT/NAME.csv`` from (seconds, newtons) rows and ``OUT/NAME.labels.json`` naming ``source``."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["t_s", "force_N"])
    w.writerows((f"{t:.6f}", repr(f)) for t, f in rows)
    (out / f"{name}.csv").write_text(buf.getvalue(), encoding="utf-8")
    meta = {"unit": "N", "force_column": "force_N", "source": source, **labels}
    (out / f"{name}.labels.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out / name}.csv and its labels")
