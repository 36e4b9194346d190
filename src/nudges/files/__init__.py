"""What is written to disk: models, checkpoints, the metadata they carry, and writing
a file whole."""
