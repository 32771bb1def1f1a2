from . import admin_extra  # noqa: E402, F401 - routing rules and models, Open311 keys
