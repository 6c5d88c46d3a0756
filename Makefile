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

.PHONY: demo test install browser system-deps bench dev validate clean stop

$(VENV)/.installed: pyproject.toml
	@echo "==> Creando el entorno virtual e instalando dependencias (la primera vez tarda unos minutos)"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --upgrade pip
	@$(PY) -m pip install --progress-bar on -e ".[test]"
	@touch $@

install: $(VENV)/.installed

demo: install
	@$(OBS) demo

# System programs the tests drive, all from Debian (never a downloaded browser): Chromium for the
# browser tests (report, portal), OpenSSH's sshd for the SFTP drop location (started on loopback).
SYSTEM_PACKAGES := chromium chromium-driver openssh-server
system-deps:
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null || [ ! -x /usr/sbin/sshd ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "==> Instalando $(SYSTEM_PACKAGES) (Debian)"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES) >/dev/null); \
	  else echo "Faltan programas del sistema: sudo apt-get install $(SYSTEM_PACKAGES)"; exit 1; fi; \
	fi

browser: system-deps

test: install system-deps
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
