# Two commands for a newcomer: `make book` and `make test`. Both set up what they need first:
# Debian packages (fonts for Chinese labels, Chromium for the browser test), a virtual
# environment with pinned Python packages, and the matplotlib font cache. Each step leaves a
# stamp, so a second run does only what changed.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMPS := .stamps
APT_PACKAGES := fonts-noto-cjk fontconfig chromium
JB_FLAGS := -W -n --keep-going

.PHONY: book student-book public-book test test-fast typecheck bench setup lint clean help
help:
	@echo "make book          set up, then build the HTML book into _build/html"
	@echo "make student-book  the same without the instructor part, into _build/student/html"
	@echo "make public-book   the book for open hosting, without the article's text, into _build/public/html"
	@echo "make test          set up, then type-check, lint and run every test (including a -W book build)"
	@echo "make test-fast     the tests without book builds, browsers, kernels or subprocesses"
	@echo "make bench         grading and build benchmarks (prints figures)"

setup: $(STAMPS)/apt $(STAMPS)/venv $(STAMPS)/fonts

$(STAMPS)/apt: Makefile
	@mkdir -p $(STAMPS)
	@if dpkg-query -W -f='$${Status}\n' $(APT_PACKAGES) 2>/dev/null | grep -vq "install ok installed" \
	    || [ $$(dpkg-query -W -f='$${Status}\n' $(APT_PACKAGES) 2>/dev/null | wc -l) -ne $(words $(APT_PACKAGES)) ]; then \
	  echo "installing Debian packages: $(APT_PACKAGES)"; \
	  if [ $$(id -u) -eq 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(APT_PACKAGES) >/dev/null; \
	else echo "Debian packages present: $(APT_PACKAGES)"; fi
	@touch $@

$(STAMPS)/venv: requirements.txt pyproject.toml
	@mkdir -p $(STAMPS)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "installing pinned Python packages into $(VENV)"
	@$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements.txt
	@$(BIN)/python -m pip install -q --disable-pip-version-check --no-deps -e .
	@touch $@

# matplotlib caches the font list; a font installed after the cache was built stays invisible.
$(STAMPS)/fonts: $(STAMPS)/apt $(STAMPS)/venv
	@$(BIN)/python -c "from casebook.book.fonts import cjk_family; print('font for Chinese labels:', cjk_family())"
	@touch $@

book: setup
	$(BIN)/jupyter-book build . $(JB_FLAGS)
	@echo "open _build/html/index.html in a browser"

student-book: setup
	$(BIN)/casebook student-book

public-book: setup
	$(BIN)/casebook public-book

test: setup typecheck lint
	$(BIN)/python -m pytest -q

# The inner loop: no book build, browser, kernel or subprocess (tests marked slow).
test-fast: setup
	$(BIN)/python -m pytest -q -m "not slow"

typecheck: setup
	$(BIN)/mypy

lint: setup
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

bench: setup
	$(BIN)/python benchmarks/bench.py

clean:
	rm -rf _build $(STAMPS)
