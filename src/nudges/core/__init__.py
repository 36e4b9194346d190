"""The math of the video: activations, costs, optimizers and the network, with the
checks at the entry points and the one exception family. Imports nothing above it."""
