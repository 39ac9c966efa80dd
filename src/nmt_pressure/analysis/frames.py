"""Tables for researchers: samples, events and holds as pandas DataFrames, and holds as Parquet.

Entry points (pandas and pyarrow are the optional ``data`` extra, imported only here and only when
one of these is called):

* :meth:`Recording.to_pandas() <nmt_pressure.io.rectypes.Recording.to_pandas>`: the samples;
* :meth:`Recording.analyze() <nmt_pressure.io.rectypes.Recording.analyze>` (or :func:`nmt_pressure.analyze`)
  and then :func:`events_frame` / :func:`holds_frame` of its result: the events and the per-hold table
  of ``nmt-pressure report``;
* :func:`write_parquet`: a table of ``report`` as Parquet (``report --format parquet``).

Column types are fixed by the data's definition, not guessed from the values, so an empty table has
the same columns and dtypes as a full one, and a table is the same whether it comes from
:func:`holds_frame` or from reading the Parquet file back:

* floats are float64, bit for bit the doubles the analysis computed (the CSV has 10 significant
  digits); a value that is not defined (NaN in the analysis, an empty cell in the CSV, ``null`` in
  the JSON) is null in Parquet, NaN in pandas;
* counts (``index``, ``excursions``) are int64; names (``kind``, ``ended_by``, ``file``) strings.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import fields
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import numpy as np

from nmt_pressure import extras
from nmt_pressure.analysis.holdstats import HOLD_COLUMNS, HoldStats, result_hold_stats
from nmt_pressure.core.detector import AnalysisResult
from nmt_pressure.core.events import Event, Hold

if TYPE_CHECKING:
    import pandas as pd


__all__ = ["EVENT_COLUMNS", "EVENT_TYPES", "HOLD_TYPES", "PARQUET_META_KEY", "events_frame",
           "holds_frame", "read_parquet_meta", "require", "table_frame", "write_parquet"]

#: Key of the JSON block (file, settings, software version) in a Parquet file's schema metadata.
PARQUET_META_KEY = b"nmt_pressure"
#: Columns of an events table: the contract's event fields.
EVENT_COLUMNS = ("kind", "t", "t_detected", "direction", "level")
EVENT_TYPES: dict[str, str] = {"kind": "string", "t": "float64", "t_detected": "float64",
                               "direction": "string", "level": "float64"}
_ANNOTATION_TYPES = {"float": "float64", "int": "int64", "str": "string"}


def _hold_types() -> dict[str, str]:
    # From the dataclasses themselves, so a statistic added there gets its type here.
    types = {"index": "int64"}
    for f in (*fields(Hold), *fields(HoldStats)[2:]):
        types[f.name] = _ANNOTATION_TYPES[str(f.type)]
    assert tuple(types) == HOLD_COLUMNS
    return types


#: Columns and types of the per-hold table (``STEM.holds.csv``/``.parquet``), in :data:`HOLD_COLUMNS` order.
HOLD_TYPES: dict[str, str] = _hold_types()


def require(module: str) -> ModuleType:
    """pandas or pyarrow, which the ``data`` extra installs (one sentence naming it if missing)."""
    return extras.require(module, "data", "DataFrames and Parquet files")


# --------------------------------------------------------------------------------------------------
# pandas
# --------------------------------------------------------------------------------------------------

def _column(values: Sequence[Any], kind: str) -> Any:
    """One column as a pandas Series of the given kind (see the module docstring)."""
    pd = require("pandas")
    if kind == "float64":
        return pd.Series(np.array([math.nan if v is None else float(v) for v in values], dtype=np.float64))
    if kind == "int64":
        return pd.Series(np.array([int(v) for v in values], dtype=np.int64))
    # pandas' own default for text (object in pandas 2, str in pandas 3): what read_csv and
    # read_parquet give back for the same column.
    return pd.Series(pd.array([None if v is None else str(v) for v in values],
                              dtype=pd.Series(["x"]).dtype))


def table_frame(rows: Sequence[Mapping[str, Any]], types: Mapping[str, str]) -> pd.DataFrame:
    """Rows (dicts) as a DataFrame with the columns and kinds of ``types``; non-finite floats are NaN."""
    pd = require("pandas")
    cols = {}
    for name, kind in types.items():
        values = [row.get(name) for row in rows]
        if kind == "float64":  # what the CSV leaves empty (inf too) is "not defined"
            values = [None if v is None or not math.isfinite(v) else v for v in values]
        cols[name] = _column(values, kind)
    return pd.DataFrame(cols, columns=list(types))


def events_frame(events: AnalysisResult | Sequence[Event]) -> pd.DataFrame:
    """The events (of an :func:`~nmt_pressure.analyze` result, or a list) as a DataFrame: ``kind``,
    ``t``, ``t_detected`` (device seconds), ``direction``, ``level`` (N); a missing direction is
    None, a missing level NaN."""
    if isinstance(events, AnalysisResult):
        events = events.events
    return table_frame([e.to_dict() for e in events], EVENT_TYPES)


def holds_frame(stats: AnalysisResult | Sequence[HoldStats]) -> pd.DataFrame:
    """The per-hold table of ``nmt-pressure report`` (columns :data:`HOLD_COLUMNS`, the README's
    researcher page defines them) of an :func:`~nmt_pressure.analyze` result (or of its hold
    statistics), exactly as reading ``STEM.holds.parquet`` back gives it."""
    if isinstance(stats, AnalysisResult):
        stats = result_hold_stats(stats)
    return table_frame([s.to_dict() for s in stats], HOLD_TYPES)


# --------------------------------------------------------------------------------------------------
# Parquet
# --------------------------------------------------------------------------------------------------

def _arrow_table(rows: Sequence[Mapping[str, Any]], types: Mapping[str, str],
                 meta: Mapping[str, Any] | None) -> Any:
    pa = require("pyarrow")
    arrow_types = {"float64": pa.float64(), "int64": pa.int64(), "string": pa.string()}
    arrays = []
    for name, kind in types.items():
        values: list[Any] = [row.get(name) for row in rows]
        if kind == "float64":
            values = [None if v is None or not math.isfinite(v) else float(v) for v in values]
        elif kind == "int64":
            values = [int(v) for v in values]  # a count is never missing: None fails here, loudly
        else:
            values = [None if v is None else str(v) for v in values]
        arrays.append(pa.array(values, type=arrow_types[kind]))
    schema = pa.schema([pa.field(n, arrow_types[k], nullable=k != "int64") for n, k in types.items()])
    if meta is not None:
        schema = schema.with_metadata({PARQUET_META_KEY: json.dumps(meta, allow_nan=False, default=str)})
    return pa.Table.from_arrays(arrays, schema=schema)


def write_parquet(path: str | os.PathLike[str], rows: Sequence[Mapping[str, Any]],
                  types: Mapping[str, str] = HOLD_TYPES, meta: Mapping[str, Any] | None = None) -> Path:
    """Write rows as a Parquet table with the columns and types of ``types``; ``meta`` (JSON) goes into
    the schema metadata under :data:`PARQUET_META_KEY`. Written beside the target and renamed over it,
    so a reader of the folder never sees half a file."""
    pq = require("pyarrow.parquet")
    p = Path(path)
    table = _arrow_table(rows, types, meta)
    tmp = p.with_name(f".{p.name}.{os.getpid()}.tmp")
    try:
        pq.write_table(table, tmp)
        os.replace(tmp, p)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return p


def read_parquet_meta(path: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The JSON block :func:`write_parquet` stored with a table (file, settings, version), or None."""
    pq = require("pyarrow.parquet")
    raw = (pq.read_schema(path).metadata or {}).get(PARQUET_META_KEY)
    return None if raw is None else dict(json.loads(raw))
