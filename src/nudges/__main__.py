"""python -m nudges"""

import sys

from .cli import main

sys.exit(main())
