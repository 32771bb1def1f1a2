"""Sheet kinds that only the real worker of tests/core/test_import_worker.py knows (its settings
module, tests/core/worker_settings.py, installs this app): a normal one, and imports that blow
past the memory limit, crash the process the way calamine does, or never end."""
