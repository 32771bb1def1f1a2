# xiangzhi: `make demo` on a fresh machine with Python 3.11+, `make test`, `make check`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000
# The background worker, started again whenever it dies (it runs the imports, each in a child process).
WORKER = $(BIN)/python manage.py run_worker
# The demo serves plain HTTP on the loopback; a deployment keeps the default (HTTPS on).
demo: export XIANGZHI_HTTPS = 0

.PHONY: demo serve install install-dev test check lint format run migrate clean bench

$(BIN)/python:
	@$(PY) -c 'import sys; assert sys.version_info >= (3, 11), "需要 Python 3.11 或更高版本 / Python 3.11+ required"'
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e ".[dev]"
	touch $@ $(VENV)/.installed

# Apache ECharts for the workbench's charts, from npm at set-up (the PyPI package
# django-static-echarts carries no script); served by the app, never from a CDN. Without npm
# or a network the workbench shows the same figures as tables.
ECHARTS_VERSION := 6.1.0
ECHARTS := xiangzhi/core/static/vendor/echarts/echarts.min.js
$(ECHARTS):
	@mkdir -p $(dir $@) var/npm
	@if command -v npm >/dev/null 2>&1 && (cd var/npm && npm pack --silent echarts@$(ECHARTS_VERSION) >/dev/null 2>&1); then \
		tar -xzf var/npm/echarts-$(ECHARTS_VERSION).tgz -C var/npm package/dist/echarts.min.js package/LICENSE package/NOTICE && \
		cp var/npm/package/LICENSE var/npm/package/NOTICE $(dir $@) && mv var/npm/package/dist/echarts.min.js $@; \
	else echo "未能从 npm 取得 ECharts，工作台的图表将以表格显示 (ECharts not installed)"; fi

install: $(VENV)/.installed | $(ECHARTS)
install-dev: $(VENV)/.installed-dev | $(ECHARTS)

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: install migrate
	$(BIN)/python manage.py collectstatic --noinput -v 0
	$(BIN)/python manage.py seed_demo --scale town --seed 1
	@echo "打开 http://$(HOST)  (Ctrl+C 停止;后台任务日志在 var/worker.log)"
	@$(WORKER) > var/worker.log 2>&1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver $(HOST) --noreload

# A production-like run: deployment settings come from the environment (HTTPS on by default, for
# a TLS proxy in front; XIANGZHI_HTTPS=0 to try it over plain HTTP), no demo data, the worker
# restarted whenever it dies, and the app without the development server's reloader.
serve: install migrate
	$(BIN)/python manage.py collectstatic --noinput -v 0
	@echo "服务已启动:http://$(HOST)  (Ctrl+C 停止;后台任务日志在 var/worker.log)"
	@$(WORKER) >> var/worker.log 2>&1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver $(HOST) --noreload

test: install-dev
	$(BIN)/python -m pytest

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check: lint
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest

bench: install-dev
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var/staticfiles
