# Observatorio — the two commands are `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
OBS := $(VENV)/bin/observatorio
export OBSERVATORIO_HOME ?= $(CURDIR)/.observatorio
export DAGSTER_HOME ?= $(OBSERVATORIO_HOME)/dagster
export GX_ANALYTICS_ENABLED := false
export XDG_RUNTIME_DIR ?= /tmp

.PHONY: demo test install browser bench dev validate clean stop

$(VENV)/.installed: pyproject.toml
	@echo "==> Creando el entorno virtual e instalando dependencias (la primera vez tarda unos minutos)"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --upgrade pip
	@$(PY) -m pip install --progress-bar on -e ".[test]"
	@touch $@

install: $(VENV)/.installed

demo: install
	@$(OBS) demo

# Browser tests (report, portal) drive Debian's Chromium; never a downloaded browser.
browser:
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "==> Instalando chromium y chromium-driver (Debian)"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null); \
	  else echo "Faltan chromium y chromium-driver: sudo apt-get install chromium chromium-driver"; exit 1; fi; \
	fi

test: install browser
	@$(PY) -m pytest $(PYTEST_ARGS)

bench: install
	@$(PY) -m benchmarks.run $(BENCH_ARGS)

dev: install
	@$(OBS) db upgrade
	@$(VENV)/bin/dagster dev -w workspace.yaml

validate: install
	@$(VENV)/bin/dagster definitions validate -w workspace.yaml

stop:
	@test -x $(OBS) && $(OBS) db stop || true

clean: stop
	rm -rf $(OBSERVATORIO_HOME) $(VENV)
