"""The command line, `python -m autograd draw FORMULA ...`: a formula parsed against a
whitelist (`formula.py`, never eval'd) and drawn with the diagrams' tools (`main.py`)."""
from .formula import FormulaError, build, parse, variables
from .main import main

__all__ = ["main", "parse", "build", "variables", "FormulaError"]
