"""The settings of the real worker that tests/core/test_import_worker.py runs in another
process: the test settings, with sheet kinds that only that worker knows."""

from xiangzhi.settings_test import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "tests.core.worker_app"]  # noqa: F405
