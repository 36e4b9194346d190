"""How one training step is computed: the interface and the readable reference
step, the NumPy and compiled (numba) engines, which one runs, and threads."""
