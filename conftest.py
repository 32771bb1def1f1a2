"""The test environment (keys, a throw-away var/ directory) is set in xiangzhi/settings_test.py,
which pytest-django loads before any conftest.py."""
