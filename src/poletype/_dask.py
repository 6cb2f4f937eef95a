"""`classify_dask`: the columnar decisions over a Dask data frame, on any cluster.

Each partition is a pandas data frame decided by `poletype._columnar` where it lies; the
typology travels to the workers pickled as how to rebuild it (its shipped id, or its
rule file's bytes, and its parameters: ``Typology.__reduce__``), never as compiled code.
The same call runs on a laptop's threads, a `LocalCluster`, or a cluster's scheduler
(``Client("tcp://scheduler:8786")``) whose workers have poletype installed with the
``dask`` extra: see ``docs/scale.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from poletype._columnar import _decide
from poletype._compiler import Typology


def classify_dask(
    frame: Any,
    typology: str | Path | Typology = "labo-ess-ptce",
    params: Mapping[str, Any] | None = None,
) -> Any:
    """A lazy Dask data frame of each case's ``outcome``, ``status.<criterion>`` and ``fallback``.

    ``frame`` is a ``dask.dataframe.DataFrame`` laid out as `decide_frame` reads it
    (one row per case, columns by field path, members as counts); the result keeps
    its partitions and index, so it joins back onto the cases. Nothing runs until it is
    computed.
    """
    from poletype._api import _compiled  # noqa: PLC0415 - the API does not import Dask

    compiled = _compiled(typology, params)
    meta = _partition(frame._meta, compiled)
    return frame.map_partitions(_partition, compiled, meta=meta)


def _partition(part: pd.DataFrame, typology: Typology) -> pd.DataFrame:
    """One partition's decisions, on the worker that holds it."""
    decided = _decide(part, typology, None, "id")
    columns = decided.columns()
    out = pd.DataFrame(
        {
            name: pd.Series(values, index=part.index, dtype=object)
            for name, values in columns.items()
        }
    )
    out["fallback"] = out["fallback"].astype(bool)
    return out
