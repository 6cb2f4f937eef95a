"""Classifying at scale: columnar decisions over whole tables, and Dask partitions.

Above `_rules` (they load typologies and fall back to `classify`), below the screening
and analysis stages. Nothing is imported here: numpy and Dask are optional extras.
"""
