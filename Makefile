# nmt_pressure developer entry points. Everything the project needs is installed from here.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
STAMP  := $(VENV)/.installed
# 1: a build that cannot compile the core fails (naming the fix) instead of installing the pure-Python
# golden model, 100x slower, which the tests and benchmarks would then measure unawares.
# `make demo NMT_PRESSURE_REQUIRE_COMPILED=0` accepts the golden model where there is no C compiler.
NMT_PRESSURE_REQUIRE_COMPILED ?= 1

.PHONY: all install demo test lint bench score clean firmware flash

all: test

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip setuptools wheel

# Reinstall whenever the package sources change (non-editable: tests run the installed package).
$(STAMP): $(PY) pyproject.toml setup.py $(shell find src firmware_sim -name '*.py' -o -name '*.pyx' -o -name '*.pxi' -o -name '*.toml' 2>/dev/null)
	NMT_PRESSURE_REQUIRE_COMPILED=$(NMT_PRESSURE_REQUIRE_COMPILED) $(PIP) install --quiet ".[all,test]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(PY) -m nmt_pressure.demo

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q
	$(PY) -m ruff check src firmware_sim tools tests
	$(PY) -m mypy src/nmt_pressure
	$(PY) tools/check_imports.py

lint: $(STAMP)
	$(PY) -m ruff check src firmware_sim tools tests
	$(PY) -m mypy src/nmt_pressure

bench: $(STAMP)
	$(PY) tools/bench_core.py

score: $(STAMP)
	$(PY) tools/score_detection.py

# The open firmware (firmware/): firmware.elf/.hex for an ATmega328P (avr-gcc) with its flash and RAM
# use, the emulator the tests run it on (host cc + libsimavr), and the codec check against the shared
# vectors. Debian: sudo apt-get install gcc-avr avr-libc simavr libsimavr-dev
firmware:
	@command -v avr-gcc >/dev/null || { echo "make firmware needs avr-gcc, avr-libc and simavr: sudo apt-get install gcc-avr avr-libc simavr libsimavr-dev"; exit 2; }
	$(MAKE) -C firmware all

# Write it to a board: make flash PORT=/dev/ttyUSB0 (an old-bootloader Nano: FLASH_BAUD=57600)
flash:
	$(MAKE) -C firmware flash PORT=$(PORT)

clean:
	rm -rf firmware/build
	rm -rf build dist *.egg-info src/*.egg-info src/nmt_pressure/_core.c src/nmt_pressure/io/_csvscan.c src/nmt_pressure/*.so src/nmt_pressure/io/*.so $(VENV)
