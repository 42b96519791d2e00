# Two commands do all set-up on a fresh machine (see README, Quick start):
#   make demo   installs everything, then runs the demo
#   make test   installs everything, then runs the whole test suite
PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python

.PHONY: setup demo test lint clean notebooks

$(VENV)/.installed: pyproject.toml
	@if ! command -v dot >/dev/null 2>&1; then \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && apt-get install -y -qq graphviz >/dev/null; \
	  else echo "note: Graphviz's 'dot' is missing (apt-get install graphviz / brew install graphviz)"; fi; \
	fi
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev]"
	touch $@

setup: $(VENV)/.installed

demo: setup
	$(PY) examples/chain_rule.py
	$(PY) -m autograd draw "y = 1/(1+exp(-(w0*x0+w1*x1+w2)))" \
	    --at w0=2 x0=-1 w1=-3 x1=-2 w2=-3 -o docs/sigmoid.svg --steps docs/sigmoid_steps
	@mkdir -p out
	$(PY) examples/f_mlp.py --plot out/mlp_loss.png
	@echo
	@echo "Next: the tools are installed in $(VENV). Run them with $(PY), or first"
	@echo "  source $(VENV)/bin/activate    (then plain 'python' works), for example:"
	@echo "  $(PY) -m autograd draw \"y = -log(p)\" --at p=0.5 -o out/nll.svg"
	@echo "  open docs/sigmoid_steps/index.html in a browser to step through backward"
	@echo "  notebooks: examples/notebooks/ (make notebooks runs them)"

notebooks: setup
	$(PY) -m pytest -q tests/test_notebooks.py

test: setup
	$(PY) -m pytest

lint: setup
	$(PY) -m ruff check autograd nn examples tests benchmarks
	$(PY) -m mypy

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis
