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

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: install migrate
	$(BIN)/python manage.py collectstatic --noinput -v 0
	$(BIN)/python manage.py seed_demo --scale town --seed 1
	@echo "打开 http://$(HOST)  (Ctrl+C 停止;后台任务日志在 var/worker.log)"
	@$(WORKER) > var/worker.log 2>&1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver $(HOST) --noreload

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
