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

# A step whose output goes to a log, shown (its last lines) only when the step fails:
# $(call quietly,command,what it does in Chinese,log file).
define quietly
@$(1) >> $(3) 2>&1 || { echo "失败：$(2)（最后几行如下，全文见 $(3)）"; tail -n 20 $(3); exit 1; }
endef
INSTALL_LOG := var/install.log

$(BIN)/python:
	@$(PY) -c 'import sys; assert sys.version_info >= (3, 11), "需要 Python 3.11 或更高版本 / Python 3.11+ required"'
	@mkdir -p var && : > $(INSTALL_LOG)
	@echo "首次运行：创建 $(VENV) 并安装依赖（详细输出在 $(INSTALL_LOG)）……"
	$(call quietly,$(PY) -m venv $(VENV),创建 $(VENV),$(INSTALL_LOG))
	$(call quietly,$(BIN)/python -m pip install -q --upgrade pip,升级 pip,$(INSTALL_LOG))

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	@mkdir -p var
	$(call quietly,$(BIN)/python -m pip install -q -e .,安装依赖,$(INSTALL_LOG))
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	@mkdir -p var
	$(call quietly,$(BIN)/python -m pip install -q -e ".[dev]",安装开发依赖,$(INSTALL_LOG))
	@touch $@ $(VENV)/.installed

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
	else echo "未能从 npm 取得 ECharts，工作台的图表将以表格显示"; fi

install: $(VENV)/.installed | $(ECHARTS)
install-dev: $(VENV)/.installed-dev | $(ECHARTS)

migrate: install
	$(BIN)/python manage.py migrate --noinput

# Quiet: every step's output goes to var/setup.log (shown when a step fails); the summary at the
# end says where to open the demo, the accounts and where the logs are.
SETUP_LOG := var/setup.log

demo: install
	@mkdir -p var && : > $(SETUP_LOG)
	@echo "准备演示环境：迁移数据库、收集静态文件、载入演示乡镇（首次约需一两分钟）……"
	$(call quietly,$(BIN)/python manage.py migrate --noinput -v 0,迁移数据库,$(SETUP_LOG))
	$(call quietly,$(BIN)/python manage.py collectstatic --noinput -v 0,收集静态文件,$(SETUP_LOG))
	$(call quietly,$(BIN)/python manage.py seed_demo --scale town --seed 1 --brief,载入演示数据,$(SETUP_LOG))
	@$(BIN)/python manage.py demo_summary --host $(HOST) --setup-log $(SETUP_LOG)
	@$(WORKER) > var/worker.log 2>&1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver $(HOST) --noreload > var/server.log 2>&1; rc=$$?; \
	[ $$rc -eq 0 ] || { echo "网站已停止（退出码 $$rc），var/server.log 的最后几行："; tail -n 5 var/server.log; }; \
	exit $$rc

# The production server: gunicorn (xiangzhi/gunicorn_conf.py: workers from the core count, where
# it listens from XIANGZHI_BIND or XIANGZHI_PORT), DEBUG off, keys from the environment or
# var/secrets.json, static files collected with hashed names and served by WhiteNoise, no demo
# data, and the task worker restarted whenever it dies. HTTPS is on by default (a TLS proxy in
# front); XIANGZHI_HTTPS=0 to try it over plain HTTP. README "生产环境运行" and docs/deploy.md.
serve: export XIANGZHI_DEBUG = 0
serve: export XIANGZHI_STATIC_MANIFEST = 1
serve: install migrate
	$(BIN)/python manage.py collectstatic --noinput -v 0
	@echo "服务已启动:http://$${XIANGZHI_BIND:-127.0.0.1:$${XIANGZHI_PORT:-8000}}  (Ctrl+C 停止;后台任务日志在 var/worker.log)"
	@$(WORKER) >> var/worker.log 2>&1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/gunicorn -c python:xiangzhi.gunicorn_conf xiangzhi.wsgi

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
