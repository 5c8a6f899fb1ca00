# Two entry points for a fresh machine with Python 3.11:
#   make examples   installs into .venv and builds the worked examples on the oefendata
#   make test       installs with test extras and runs pytest (incl. nbval on notebooks/)
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
OUT    ?= outputs

.PHONY: examples test install install-test docs oefendata browser bench bench-verkenner clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

$(VENV)/.installed-docs: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[docs]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

examples: install
	$(BIN)/impactmonitor run parameters/zaanstreek-waterland.yaml --out $(OUT)
	$(BIN)/impactmonitor run parameters/drenthe.yaml --out $(OUT)
	@echo "Klaar: open $(OUT)/zaanstreek-waterland/heftig-structureel-geweld.html en $(OUT)/drenthe/eerder-beter-in-beeld.html"

test: install-test
	$(BIN)/python -m pytest

# The Dutch documentation site (strict mode) in outputs/site, with the gallery of outputs/.
docs: $(VENV)/.installed-docs
	$(BIN)/impactmonitor docs build --out $(OUT)/site --gallery $(OUT)

# Benchmark (issue 8): prints ratio_batch/ratio_rows/ratio_query last; raw timings in outputs/bench/timings.csv
bench: install
	$(BIN)/python benchmarks/bench.py

# Benchmark (issue 18): 10 participant sessions at once in headless Chromium against one served
# verkenner; prints explorer_sessions, explorer_first_p95_s, explorer_update_p95_s, explorer_peak_mb last.
bench-verkenner: install-test browser
	$(BIN)/python benchmarks/bench_verkenner.py

# Debian chromium + chromedriver for the explorer's browser test (needs root/sudo + apt).
browser:
	bash scripts/install_browser.sh

# Regenerate the bundled practice snapshot (deterministic).
oefendata: install
	$(BIN)/python scripts/generate_oefendata.py

clean:
	rm -rf $(VENV) .pytest_cache
