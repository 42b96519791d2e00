"""`python -m autograd ...`: the command line (see `autograd.cli`)."""
import sys

from .cli import main

sys.exit(main())
