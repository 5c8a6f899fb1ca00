# Two entry points for a fresh machine with Python 3.11:
#   make examples   installs into .venv and builds the worked examples on the oefendata
#   make test       installs with test extras and runs pytest (incl. nbval on notebooks/)
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
OUT    ?= outputs

.PHONY: examples test install install-test docs gallery oefendata browser bench bench-verkenner clean

# The two questions of the worked examples; the gallery links every Veilig Thuis-regio for both.
GALLERY_QUESTIONS := heftig-structureel-geweld eerder-beter-in-beeld

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

# Every report the gallery links: both questions for all 26 Veilig Thuis-regio's (a batch runs
# only when reports are missing), then the two worked examples with their own parameter files.
gallery: install
	@for q in $(GALLERY_QUESTIONS); do \
	  n=$$(ls $(OUT)/*/$$q.html 2>/dev/null | wc -l); \
	  if [ "$$n" -lt 26 ]; then \
	    echo "Galerij: $$q voor alle Veilig Thuis-regio's"; \
	    $(BIN)/impactmonitor run --all-regions --question $$q --out $(OUT) || exit 1; \
	  fi; \
	done
	$(MAKE) --no-print-directory examples OUT=$(OUT)
	$(BIN)/impactmonitor handout parameters/zaanstreek-waterland.yaml --out $(OUT)
	$(BIN)/impactmonitor handout parameters/drenthe.yaml --out $(OUT)

# The Dutch documentation site (strict mode) in outputs/site, with the gallery of outputs/
# (built first by `gallery`, so a fresh clone shows every region).
docs: $(VENV)/.installed-docs gallery
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
