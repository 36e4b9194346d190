"""nudges: see what backpropagation is really doing, on handwritten digits.

    import nudges
    net = nudges.Network([784, 30, 10], seed=0)
    data = nudges.load_digits()            # full MNIST if found, else the embedded sample
    history = nudges.train(net, *data.train, epochs=30, batch_size=10, eta=3.0,
                           evaluation=data.test, seed=0)
"""

from .core.errors import (
                     DataError,
                     DataNotFound,
                     InvalidInput,
                     ModelFileError,
                     NudgesError,
                     TrainingDiverged,
)
from .core.network import Network, Trace
from .core.optimizers import OPTIMIZERS, Optimizer
from .data.idx import read_idx
from .data.mnist import Dataset, load_digits, load_mnist, load_sample
from .data.own import load_dataset
from .engines.reference import ENGINES
from .explain import display  # noqa: F401  (attaches the rich display to the classes)
from .explain.wishes import (
                     Wishes,
                     agreement,
                     check_one_weight,
                     example_nudges,
                     gradient_noise,
                     nudge_norms,
                     step_effect,
                     wishes,
)
from .files.models import load, save
from .sweeps.run import sweep
from .training.settings import EpochReport, History, Settings
from .training.sgd import train

__version__ = "0.1.0"
__all__ = [
    "ENGINES", "OPTIMIZERS", "DataError", "DataNotFound", "Dataset", "EpochReport", "History",
    "InvalidInput", "ModelFileError", "Network", "NudgesError", "Optimizer", "Settings", "Trace",
    "TrainingDiverged", "Wishes", "__version__", "agreement", "check_one_weight",
    "example_nudges", "gradient_noise", "load", "load_dataset", "load_digits", "load_mnist",
    "load_sample",
    "nudge_norms", "read_idx", "save", "step_effect", "sweep", "train", "wishes",
]
