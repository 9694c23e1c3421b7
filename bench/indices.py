"""Benchmark: the full index table (all units, factors and items, with intervals).

Compares hailong's engine (DuckDB selects the answers, one pass of NumPy kernels makes
additive per-unit statistics, the table is made from them) with a straightforward pandas
implementation of the same table, measured in the same run on the same data (each the best
of ``--repeat`` runs), and times an incremental recompute after new answers arrive. Prints
ratios, since these machines are noisy. Run: ``.venv/bin/python bench/indices.py`` (add
``--responses 400000,10000000``; ``--threads 1`` keeps the engine on one core).
"""

from __future__ import annotations

import argparse
import gc
import resource
import time
from collections.abc import Callable
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from hailong.measurement import parse_instrument
from hailong.measurement.engine import Engine, Spec
from hailong.measurement.engine import run as engine_run

FACTORS, PER_FACTOR = 5, 5  # 25 items


def instrument() -> Any:
    questions = [
        {"code": f"q{f}_{i}", "text": "x", "scale": "satisfaction5", "factor": f"F{f}"}
        for f in range(FACTORS)
        for i in range(PER_FACTOR)
    ]
    return parse_instrument(
        {
            "schema": "hailong.instrument/1",
            "code": "bench",
            "version": 1,
            "title": "bench",
            "factors": [{"code": f"F{f}", "label": f"F{f}"} for f in range(FACTORS)],
            "sections": [{"code": "s", "title": "s", "questions": questions}],
        }
    )


def answers(n: int, units: int, seed: int) -> pa.Table:
    """Plausible answers: unit effects, about 83% satisfied, 5% missing per item."""
    rng = np.random.default_rng(seed)
    unit = rng.integers(0, units, n, dtype=np.int32)
    effect = rng.normal(0, 0.35, units)[unit]
    lean = rng.normal(0, 0.5, n)
    cols: dict[str, Any] = {"unit_id": unit}
    for f in range(FACTORS):
        for i in range(PER_FACTOR):
            latent = 0.95 + effect + lean + rng.normal(0, 0.6, n)
            value = (1 + np.searchsorted([-1.6, -0.8, 0.0, 1.15], latent, side="right")).astype(
                np.int16
            )
            cols[f"q{f}_{i}"] = pa.array(value, mask=rng.random(n) < 0.05)
    return pa.table(cols)


def pandas_table(df: pd.DataFrame) -> pd.DataFrame:
    """The same figures, the plain pandas way: per item counts, shares, means and Wilson
    intervals; per factor and overall, the mean of item shares with a per-respondent
    linearized variance."""
    z = 1.959963984540054
    unit = df["unit_id"].to_numpy()
    g = df.groupby("unit_id", sort=True)
    units = np.array(sorted(df["unit_id"].unique()))
    position = np.searchsorted(units, unit)
    out = []
    share, weight, valid, top = {}, {}, {}, {}
    for col in [c for c in df.columns if c != "unit_id"]:
        v = df[col]
        valid[col] = v.notna().to_numpy()
        top[col] = (v >= 4).to_numpy()
        counts = {level: (v == level).groupby(unit).sum() for level in range(1, 6)}
        W = v.notna().groupby(unit).sum()
        T = (v >= 4).groupby(unit).sum()
        p = T / W
        mean = v.groupby(unit).mean()
        centre = (p + z * z / (2 * W)) / (1 + z * z / W)
        half = z / (1 + z * z / W) * np.sqrt(p * (1 - p) / W + z * z / (4 * W * W))
        share[col], weight[col] = p.to_numpy(), W.to_numpy()
        out.append(pd.DataFrame({"code": col, "index": 100 * p, "low": 100 * (centre - half),
                                 "high": 100 * (centre + half), "mean": mean, "n": W, **{f"c{k}": c for k, c in counts.items()}}))  # fmt: skip
    groups = {f"F{f}": [f"q{f}_{i}" for i in range(PER_FACTOR)] for f in range(FACTORS)}
    groups["overall"] = [c for cols in list(groups.values()) for c in cols]
    for name, cols in groups.items():
        a = 1 / len(cols)
        estimate = sum(a * share[c] for c in cols) * 100
        zi = np.zeros(len(df))
        answered = np.zeros(len(df), dtype=bool)
        for c in cols:
            zi += np.where(
                valid[c], a * (top[c] * 100 - 100 * share[c][position]) / weight[c][position], 0
            )
            answered |= valid[c]
        n = pd.Series(answered).groupby(unit).sum().to_numpy()
        var = pd.Series(zi * zi).groupby(unit).sum().to_numpy() * n / (n - 1)
        se = np.sqrt(var)
        out.append(
            pd.DataFrame(
                {
                    "code": name,
                    "index": estimate,
                    "low": estimate - z * se,
                    "high": estimate + z * se,
                    "n": n,
                },
                index=units,
            )
        )
    del g
    return pd.concat(out)


def best(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        gc.collect()
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return min(times), result


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(n: int, units: int, new: int, repeat: int) -> None:
    form = instrument()
    engine = Engine(form)
    con = duckdb.connect()
    con.register("_gen", answers(n, units, seed=1))
    con.execute("CREATE TABLE answers AS SELECT * FROM _gen")
    con.unregister("_gen")
    gc.collect()
    loaded_peak = peak_mb()
    spec = Spec(by=("unit_id",))
    t_engine, rows = best(lambda: engine.compute(con, "answers", spec), repeat)
    # The store keeps these per-unit statistics; the table is then made from them alone.
    kept = engine.cell_stats(con, "answers", spec)
    t_kept, _ = best(lambda: engine.table(kept, spec), repeat)
    # An incremental batch as a sync handles it: append the new answers, add their
    # statistics to the kept ones, make the table.
    batch = answers(new, units, seed=2)

    def incremental() -> Any:
        con.register("_batch", batch)
        con.execute("INSERT INTO answers SELECT * FROM _batch")
        added = engine.cell_stats(con, "_batch", spec)
        con.unregister("_batch")
        return engine.table(kept.combine(added), spec)

    t_incremental, _ = best(incremental, 1)
    engine_peak = peak_mb()
    df = con.sql("SELECT * FROM answers").df()
    for c in df.columns:
        if c != "unit_id":
            df[c] = df[c].astype("float32")
    t_pandas, table = best(lambda: pandas_table(df), repeat)
    # the two implementations agree
    mine = {
        (r["unit_id"], r["code"]): r["index"]
        for r in engine.compute(con, "answers", spec)
        if r["level"] in ("item", "overall")
    }
    plain = table[~table["code"].str.startswith("F")]
    theirs = {
        (int(u), str(code)): float(value)
        for u, code, value in zip(plain.index, plain["code"], plain["index"], strict=True)
    }
    worst = max(abs(mine[k] - v) for k, v in theirs.items() if k in mine)
    print(
        f"\n{n:,} responses × {FACTORS * PER_FACTOR} items ({n * FACTORS * PER_FACTOR:,} item answers), "
        f"{units} units; engine on {engine_run.THREADS} thread(s), best of {repeat}"
    )
    print(
        f"  full table ({len(rows):,} figures) from the answers: engine {t_engine:.3f} s, "
        f"pandas {t_pandas:.3f} s, ratio {t_pandas / t_engine:.1f}×"
    )
    print(
        f"  full table from the kept per-unit statistics: {t_kept:.3f} s (ratio to pandas {t_pandas / t_kept:.0f}×)"
    )
    print(f"  incremental: {new:,} new responses appended, their statistics added and the table made "
          f"in {t_incremental:.3f} s ({t_incremental / t_engine:.2f} of a full run)")  # fmt: skip
    print(f"  peak memory: {loaded_peak:,.0f} MB with the answers loaded, {engine_peak:,.0f} MB after the "
          f"engine ran; largest difference from pandas {worst:.2e}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--responses", default="400000,10000000", help="comma-separated sizes")
    parser.add_argument("--units", type=int, default=200)
    parser.add_argument("--new", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--threads", type=int, help="engine workers (default: up to 4 cores)")
    args = parser.parse_args()
    if args.threads:
        engine_run.THREADS = args.threads
    for n in (int(x) for x in args.responses.split(",")):
        run(n, args.units, min(args.new, n), args.repeat)


if __name__ == "__main__":
    main()
