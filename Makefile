# Set-up and everyday commands. `make run` and `make test` do everything a fresh Debian/Ubuntu machine needs.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# Qt's xcb plugin and multimedia, PortAudio headers for building PyAudio, a virtual screen and sound server for tests,
# espeak-ng: the practice partner's voice on Linux (and the speech tests' spoken audio); PostgreSQL and Chromium for
# the team server's tests (a throwaway cluster, the dashboard in a headless browser).
APT_PACKAGES := libpulse0 libxcb-icccm4 libxcb-keysyms1 libxcb-xinerama0 libxcb-cursor0 libxkbcommon-x11-0 \
	libegl1 libgl1 libfontconfig1 libdbus-1-3 build-essential python3-dev python3-venv portaudio19-dev \
	xvfb xauth x11-utils imagemagick trayer pulseaudio pulseaudio-utils libasound2-plugins espeak-ng xdotool \
	postgresql chromium chromium-driver

.PHONY: run server test lint format system-deps venv bench clean bundle bundle-test tarball appimage bench-bundle

run: $(STAMP)
	$(BIN)/roleplay

test: $(STAMP)
	$(BIN)/ruff check desktop tests benchmarks scripts server
	$(BIN)/ruff format --check desktop tests benchmarks scripts server
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q
	cd server && ../$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check desktop tests benchmarks scripts server
	$(BIN)/ruff format --check desktop tests benchmarks scripts server

format: $(STAMP)
	$(BIN)/ruff format desktop tests benchmarks scripts server
	$(BIN)/ruff check --fix desktop tests benchmarks scripts server

bench: $(STAMP)
	$(BIN)/python benchmarks/store_scale.py
	$(BIN)/python benchmarks/append_latency.py
	$(BIN)/python benchmarks/gui_responsiveness.py
	$(BIN)/python benchmarks/grading.py
	$(BIN)/python benchmarks/latency.py
	$(BIN)/python benchmarks/cold_start.py
	$(BIN)/python benchmarks/sync.py
	$(BIN)/python benchmarks/history_scroll.py

system-deps:
	@bash scripts/system-deps.sh $(APT_PACKAGES)

$(STAMP): pyproject.toml server/pyproject.toml scripts/system-deps.sh
	@$(MAKE) --no-print-directory system-deps
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]' -e './server[test]'
	touch $(STAMP)

venv: $(STAMP)

# The desktop bundle (PyInstaller, onedir) in "dist/Roleplay Trainer"; installers: see installer/README.md.
BUNDLE_DIR := $(CURDIR)/dist/Roleplay Trainer

bundle: $(STAMP)
	$(BIN)/pyinstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller roleplay.spec

# The bundle's smoke test: doctor, one typed call against the embedded partner, the window painted and closed.
bundle-test: bundle
	ROLEPLAY_BUNDLE_DIR="$(BUNDLE_DIR)" QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q tests/app/test_bundle.py

tarball: bundle
	bash installer/linux/make_tarball.sh

appimage: bundle
	bash installer/linux/make_appimage.sh

bench-bundle: $(STAMP)
	$(BIN)/python benchmarks/bundle.py

clean:
	rm -rf $(VENV) build dist .pytest_cache .ruff_cache

# The team server on this machine, on SQLite in .server-data with a demo team (see server/README.md).
server: $(STAMP)
	$(BIN)/roleplay-server --data .server-data demo --personas resources/personas.json
	$(BIN)/roleplay-server --data .server-data run
