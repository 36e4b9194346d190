"""Hyperparameter sweeps: the spec, the trials (serially or on Dask), successive
halving, the results file and its plots."""
