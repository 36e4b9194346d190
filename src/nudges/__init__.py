"""nudges: see what backpropagation is really doing, on handwritten digits."""

from .errors import (DataError, DataNotFound, InvalidInput, ModelFileError, NudgesError,
                     TrainingDiverged)
from .network import Network, Trace

__version__ = "0.1.0"
__all__ = ["DataError", "DataNotFound", "InvalidInput", "ModelFileError", "Network",
           "NudgesError", "Trace", "TrainingDiverged", "__version__"]
