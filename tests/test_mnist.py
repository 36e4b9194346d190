"""End to end on the full, bit-exact MNIST (skipped, with how to get it, where it is absent)."""

import pytest

import nudges


@pytest.mark.mnist
@pytest.mark.slow
def test_book_network_reaches_93_percent_after_3_epochs(mnist_dir):
    data = nudges.load_mnist(mnist_dir)
    net = nudges.Network([784, 30, 10], seed=0)
    history = nudges.train(net, *data.train, epochs=3, batch_size=10, eta=3.0,
                           evaluation=data.test, seed=0)
    accuracy = [e.accuracy for e in history.epochs]
    assert accuracy[-1] > 93.0, accuracy
    assert history.epochs[-1].total == 10_000
