"""Research tools over many cases: tables, sweeps, citable runs, set-theoretic fit, plots.

Nothing is imported here: pandas, polars and matplotlib are optional extras, loaded only
by the function that needs them, so ``import poletype`` stays as light as classifying.
"""
