"""classify_dask on a local cluster of two worker processes gives one process's decisions.

Worker processes prove the typology pickles (as its id and parameters) and rebuilds
where the partitions are.
"""

from __future__ import annotations

import dask.dataframe as dd
import pandas as pd
import pytest
from distributed import Client, LocalCluster

from poletype import classify_dask, decide_frame
from poletype.model import Initiative
from test_columnar import frames

ITEMS = [
    Initiative(
        name=f"case {n}",
        voluntary=n % 3 != 0,
        jobs=n if n % 4 else None,
        activities={"social_utility_share": (n % 10) / 10} if n % 5 else None,
        members=[{"kind": "sme", "local": True}, {"kind": "ess_cooperative"}] * (n % 4)
        if n % 6
        else None,
    )
    for n in range(60)
] + [Initiative(name="nothing known"), Initiative(name="some", voluntary=True)]


@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::ResourceWarning")
def test_a_local_cluster_decides_as_one_process() -> None:
    frame, _ = frames(ITEMS)
    params = {"min_organisations": 4}
    expected = decide_frame(frame, "labo-ess-ptce", params)
    ddf = dd.from_pandas(pd.DataFrame(frame), npartitions=3)
    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        Client(cluster, timeout=60),
    ):
        decided = classify_dask(ddf, "labo-ess-ptce", params).compute(timeout=120)
    assert list(decided["outcome"]) == list(expected.outcome)
    for criterion, values in expected.statuses.items():
        assert list(decided[f"status.{criterion}"]) == list(values)
    assert not decided["fallback"].any()
    assert set(decided["outcome"]) >= {"not_ptce", "indeterminate"}
