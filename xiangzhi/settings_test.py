"""Settings of the test suite: fresh random keys (never a key in the repo), a throw-away var/
directory, and the suite's throwaway app (tests/contract_app).

pytest-django imports the settings before any conftest.py runs, so this is the one place where
the test environment can be set before settings.py reads it."""

import base64
import os
import secrets
import tempfile

os.environ.setdefault("XIANGZHI_VAR_DIR", tempfile.mkdtemp(prefix="xiangzhi-test-"))
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(40))
os.environ.setdefault(
    "XIANGZHI_DATA_KEYS", "t1:" + base64.b64encode(secrets.token_bytes(32)).decode()
)
os.environ.setdefault("XIANGZHI_INDEX_KEY", base64.b64encode(secrets.token_bytes(32)).decode())
os.environ.setdefault("XIANGZHI_TESTING", "1")
# The test client and the browser tests talk plain HTTP to the loopback.
os.environ.setdefault("XIANGZHI_HTTPS", "0")
# The live server's thread must not keep a PostgreSQL connection open past the test run.
os.environ.setdefault("XIANGZHI_CONN_MAX_AGE", "0")
# The tests run the worker's tasks in their own process and transaction, which a child process
# cannot see: imports run in-process here. tests/core/test_import_worker.py runs the real worker,
# in another process, with the sandbox on.
os.environ.setdefault("XIANGZHI_IMPORT_SANDBOX", "0")

from .settings import *  # noqa: E402, F403

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file rather than memory, so that the real worker, run in another process by
    # tests/core/test_import_worker.py, reads the same test database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}  # noqa: F405

# The throwaway app that proves an app built on the contract is covered by the scope walk, the
# audit declarations and the sheet pages without touching core (docs/architecture.md).
INSTALLED_APPS = [*INSTALLED_APPS, "tests.contract_app"]  # noqa: F405
ROOT_URLCONF = "tests.contract_app.urls"

# A batch recounts only the figures over the tables it wrote (core.figures): the tests recount
# the skipped figures as well and fail when one of them changed.
XIANGZHI_FIGURES_CHECK_SKIPPED = True
