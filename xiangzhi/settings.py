"""Settings for xiangzhi. Everything deployment-specific comes from the environment."""

import json
import os
import secrets
import sys
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("XIANGZHI_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


SECRETS_FILE = VAR_DIR / "secrets.json"


def _refuse(message: str) -> None:
    """Stop every entry point (manage.py, the server's workers, the task worker) with a message
    an operator can act on, not a traceback. Exit status 3 is gunicorn's "a worker failed to
    boot": the server stops instead of starting worker after worker."""
    sys.stderr.write(f"乡治无法启动：{message}\n")
    raise SystemExit(3)


def _read_secrets(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        _refuse(f"密钥文件 {path} 读不出来（{type(exc).__name__}），请从备份放回完好的文件。")
    if not isinstance(data, dict):
        _refuse(f"密钥文件 {path} 的内容不对，请从备份放回完好的文件。")
    return data


_default_db = f"sqlite:///{VAR_DIR / 'xiangzhi.sqlite3'}"
# Read before the keys: a lost keys file is refused where the SQLite database holds data.
_DATABASE = dj_database_url.parse(os.environ.get("DATABASE_URL", _default_db))


def _sqlite_file() -> Path | None:
    """The SQLite database file this deployment uses (None on another database)."""
    return Path(_DATABASE["NAME"]) if _DATABASE["ENGINE"].endswith("sqlite3") else None


def _local_secrets() -> dict:
    """Load or create var/secrets.json, the development fallback for keys never kept in the repo.

    Keys are generated only for a new installation: where the SQLite database already holds
    data, new keys would not open its encrypted ID numbers and phones, and would index new ones
    apart from the old (a registered ID number could be registered again). On PostgreSQL the
    database is not asked here; `migrate` (which `make serve` and the systemd unit run first)
    refuses keys that do not open its data (core/checks.py)."""
    path = SECRETS_FILE
    if path.is_symlink() and not path.exists():
        _refuse(f"密钥文件 {path} 是一个链接，它指向的文件不存在，请把备份的密钥文件放回。")
    if path.exists():
        return _read_secrets(path)
    database = _sqlite_file()
    if database is not None and database.exists() and database.stat().st_size:
        _refuse(
            f"找不到密钥文件 {path}，而数据库 {database} 已有数据：新生成的密钥解不开已加密的"
            "身份证号和电话。请把备份的 secrets.json 放回（见 docs/deploy.md 的“密钥”一节）。"
        )
    import base64
    import tempfile

    data = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "XIANGZHI_DATA_KEYS": "k1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
        "XIANGZHI_INDEX_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
    }
    # Written private (mkstemp: mode 0600, a name of its own) and whole, then linked into place:
    # of two processes starting at once, the second reads and keeps the first one's keys.
    fd, part = tempfile.mkstemp(prefix=".secrets.", suffix=".json", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(json.dumps(data, indent=2))
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(part, path)
        except FileExistsError:
            return _read_secrets(path)
    finally:
        os.unlink(part)
    return data


def _secret(name: str) -> str:
    value = os.environ.get(name)
    if value:
        return value
    value = _local_secrets().get(name)
    if not isinstance(value, str) or not value:
        _refuse(
            f"密钥文件 {SECRETS_FILE} 中缺少 {name}（也没有同名的环境变量），请从备份放回完好的文件。"
        )
    return value


DEBUG = os.environ.get("XIANGZHI_DEBUG", "0") == "1"
SECRET_KEY = _secret("SECRET_KEY")
# Data encryption keys: "kid:base64key,kid2:base64key2"; the first one encrypts, all decrypt.
XIANGZHI_DATA_KEYS = _secret("XIANGZHI_DATA_KEYS")
# Key of the HMAC blind index used for exact lookup of encrypted values.
XIANGZHI_INDEX_KEY = _secret("XIANGZHI_INDEX_KEY")

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("XIANGZHI_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    if h.strip()
]
if DEBUG or os.environ.get("XIANGZHI_TESTING") == "1":
    ALLOWED_HOSTS = ["*"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "xiangzhi.core.vendor_apps.AxesConfig",  # django-axes, named in Chinese
    "csp",
    "ninja",
    "django_tasks",
    "xiangzhi.core.vendor_apps.TaskResultsConfig",  # django-tasks-db, named in Chinese
    "xiangzhi.core",
    "xiangzhi.accounts",
    "xiangzhi.grid",
    "xiangzhi.people",
    "xiangzhi.party",
    "xiangzhi.points",
    "xiangzhi.appeals",
    "xiangzhi.demo",  # the top: seed_demo and nothing any other app imports
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise: every response Django itself renders (pages, sheets, the API) may carry
    # personal data, and none of it is kept by a browser or proxy cache.
    "xiangzhi.core.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "xiangzhi.core.middleware.SessionRefreshMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "xiangzhi.core.middleware.NulRefused",
    "xiangzhi.core.middleware.ApiMethodRefused",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "xiangzhi.core.middleware.LoginRequired",
    "django.contrib.messages.middleware.MessageMiddleware",
    "xiangzhi.accounts.middleware.PasswordChangeRequired",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "xiangzhi.core.middleware.RequestContextMiddleware",
]

ROOT_URLCONF = "xiangzhi.urls"
WSGI_APPLICATION = "xiangzhi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "builtins": ["xiangzhi.core.templatetags.xz"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "xiangzhi.core.context_processors.ui",
            ],
        },
    }
]

DATABASES = {"default": _DATABASE}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while one writer writes; IMMEDIATE takes the write lock at BEGIN so
    # two writers queue instead of failing half-way with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        # A page cache of 16 MB per connection (SQLite's default is 2 MB): an import writes into
        # nine indexes of the resident table at random places and was bound by cache misses.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            f"PRAGMA cache_size=-{int(os.environ.get('XIANGZHI_SQLITE_CACHE_KB', '16384'))}; "
            "PRAGMA temp_store=MEMORY;"
        ),
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("XIANGZHI_CONN_MAX_AGE", "60"))

# PostgreSQL: the figures' recount, run by every write, is prepared once per connection
# (core/prepared.py). Behind a transaction pooler that does not track prepared statements
# (pgbouncer before 1.22, or without max_prepared_statements) set XIANGZHI_PG_PREPARE=0.
XIANGZHI_PG_PREPARE = os.environ.get("XIANGZHI_PG_PREPARE", "1") == "1"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions end after 8 idle hours (refreshed at most every 5 minutes) and when the browser closes.
SESSION_ENGINE = "xiangzhi.accounts.sessions"  # database sessions, read with one plain query
SESSION_COOKIE_AGE = int(os.environ.get("XIANGZHI_SESSION_SECONDS", 8 * 3600))
SESSION_SAVE_EVERY_REQUEST = False  # core.middleware.SessionRefreshMiddleware slides the expiry
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # forms read no cookie from scripts, but Django's default is fine
CSRF_FAILURE_VIEW = "xiangzhi.core.errors.csrf_failure"  # Chinese, in the site layout
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# HTTPS. A deployment serves over HTTPS (itself or behind a proxy): cookies are Secure, plain
# HTTP is redirected, and browsers are told to stay on HTTPS (HSTS). `make demo` and the tests run
# on plain HTTP on the loopback and set XIANGZHI_HTTPS=0.
HTTPS = os.environ.get("XIANGZHI_HTTPS", "0" if DEBUG else "1") == "1"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and os.environ.get("XIANGZHI_SSL_REDIRECT", "1") == "1"
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # probes call it over plain HTTP inside the host
if os.environ.get("XIANGZHI_PROXY_SSL_HEADER", "0") == "1":
    # Behind a reverse proxy that terminates TLS and sets X-Forwarded-Proto (docs/deploy.md).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("XIANGZHI_HSTS_SECONDS", 365 * 24 * 3600 if HTTPS else 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("XIANGZHI_HSTS_SUBDOMAINS", "1") == "1"
# Preloading commits the whole domain to HTTPS in browsers for months: a deployment opts in.
SECURE_HSTS_PRELOAD = os.environ.get("XIANGZHI_HSTS_PRELOAD", "0") == "1"
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

# Content-Security-Policy (django-csp): no inline or foreign scripts, nothing from another host
# (township intranets are often offline, and a CDN is never used). Inline style attributes remain
# in a few templates, hence 'unsafe-inline' for styles only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

AXES_FAILURE_LIMIT = int(os.environ.get("XIANGZHI_LOGIN_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Spraying: an address from which many usernames failed is locked too (accounts/throttling.py).
AXES_HANDLER = "xiangzhi.accounts.throttling.AddressAwareHandler"
XIANGZHI_LOGIN_ADDRESS_FAILURE_LIMIT = int(
    os.environ.get("XIANGZHI_LOGIN_ADDRESS_FAILURE_LIMIT", 30)
)
AXES_LOCKOUT_CALLABLE = "xiangzhi.accounts.throttling.lockout_response"
# An attempt refused by a lock is not a new failure: the lock ends after the cool-off from the
# attacker's last real try, not from the office's last retry with the right password.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Behind N reverse proxies (nginx with $proxy_add_x_forwarded_for), set XIANGZHI_PROXY_COUNT=N so
# that login throttling and the audit trail see the client's address, not the proxy's.
XIANGZHI_PROXY_COUNT = int(os.environ.get("XIANGZHI_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "xiangzhi.core.middleware.client_ip"
AXES_VERBOSE = False

LANGUAGE_CODE = "zh-hans"
# Chinese only: the app's own words have no other catalogue, and a browser set to English would
# get Django's own words (field errors, the password form) in English among the Chinese.
LANGUAGES = [("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "xiangzhi" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
# Uploaded files (appeal photos): never served as public media, only through views that check
# the scope (appeals:photo).
MEDIA_ROOT = VAR_DIR / "media"
# Serve app static files straight from the apps when not collected (development, tests).
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The production server (`make serve`, docs/deploy.md) collects static files with content-hashed
# names and compressed copies, which WhiteNoise serves compressed and cached for a year (slow
# village links fetch the CSS once); development, tests and the benchmark's in-process client use
# the files as they are.
if os.environ.get("XIANGZHI_STATIC_MANIFEST", "0") == "1":
    STORAGES["staticfiles"] = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}

# The grid's level names; a deployment renames them with XIANGZHI_GRID_LEVELS='{"4": "村民小组"}'.
XIANGZHI_GRID_LEVELS = {
    0: "县（市、区）",
    1: "乡镇党委（一级网格）",
    2: "行政村（社区）党总支（二级网格）",
    3: "党支部/片区（三级网格）",
    4: "屋场党小组（四级网格）",
    5: "党员中心户（五级网格）",
}
XIANGZHI_GRID_LEVELS.update(
    {int(k): v for k, v in json.loads(os.environ.get("XIANGZHI_GRID_LEVELS", "{}")).items()}
)

# Maintained figures (core/figures.py): kept as rows per node at this grid level (2: the village),
# recounted in each write's transaction. XIANGZHI_FIGURES_MAINTAINED=0 turns them off (pages count
# live, as before; run `manage.py verify_figures --fix` after turning them on again).
XIANGZHI_FIGURES_MAINTAINED = os.environ.get("XIANGZHI_FIGURES_MAINTAINED", "1") == "1"
XIANGZHI_FIGURES_LEVEL = int(os.environ.get("XIANGZHI_FIGURES_LEVEL", "2"))

# Background work on the database queue; `manage.py db_worker` runs it (make demo starts one).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Uploaded sheets wait here for the worker and are deleted once imported.
XIANGZHI_UPLOAD_DIR = VAR_DIR / "imports"
XIANGZHI_UPLOAD_MAX_BYTES = int(os.environ.get("XIANGZHI_UPLOAD_MAX_BYTES", 50 * 1024 * 1024))
# Meeting attachments (三会一课 minutes, photos), served only through a scoped view.
XIANGZHI_ATTACHMENT_DIR = VAR_DIR / "attachments"
# Sheets cannot hurt the worker (docs/security.md, "Spreadsheet uploads"): a workbook is checked
# against these bounds before calamine opens it (the defaults fit a 100,000-row roster with room
# to spare), and each import runs in a child process with an address-space limit and a timeout.
_MB = 1024 * 1024
XIANGZHI_SHEET_MAX_UNZIPPED_BYTES = int(os.environ.get("XIANGZHI_SHEET_MAX_UNZIPPED_MB", 512)) * _MB
XIANGZHI_SHEET_MAX_PART_BYTES = int(os.environ.get("XIANGZHI_SHEET_MAX_PART_MB", 256)) * _MB
XIANGZHI_SHEET_MAX_RATIO = int(os.environ.get("XIANGZHI_SHEET_MAX_RATIO", 200))
XIANGZHI_SHEET_MAX_ROWS = int(os.environ.get("XIANGZHI_SHEET_MAX_ROWS", 200_000))
XIANGZHI_SHEET_MAX_COLUMNS = int(os.environ.get("XIANGZHI_SHEET_MAX_COLUMNS", 256))
XIANGZHI_SHEET_MAX_CELLS = int(os.environ.get("XIANGZHI_SHEET_MAX_CELLS", 8_000_000))
XIANGZHI_SHEET_MAX_SHARED_STRINGS_BYTES = (
    int(os.environ.get("XIANGZHI_SHEET_MAX_SHARED_STRINGS_MB", 128)) * _MB
)
XIANGZHI_SHEET_MAX_STRING_BYTES = int(os.environ.get("XIANGZHI_SHEET_MAX_STRING_KB", 256)) * 1024
# "0" imports in the worker's own process (tests that run inside one transaction).
XIANGZHI_IMPORT_SANDBOX = os.environ.get("XIANGZHI_IMPORT_SANDBOX", "1") == "1"
XIANGZHI_IMPORT_MEMORY_BYTES = int(os.environ.get("XIANGZHI_IMPORT_MEMORY_MB", 1536)) * _MB
XIANGZHI_IMPORT_TIMEOUT_SECONDS = int(os.environ.get("XIANGZHI_IMPORT_TIMEOUT_SECONDS", 1800))
# A running import whose worker has not been heard of for this long is failed by housekeeping,
# which the worker runs before each import and every XIANGZHI_IMPORT_HOUSEKEEPING_SECONDS.
XIANGZHI_IMPORT_STALE_SECONDS = int(os.environ.get("XIANGZHI_IMPORT_STALE_SECONDS", 120))
XIANGZHI_IMPORT_HOUSEKEEPING_SECONDS = int(
    os.environ.get("XIANGZHI_IMPORT_HOUSEKEEPING_SECONDS", 300)
)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Signed audit checkpoints (docs/security.md, "Audit chains"): the Ed25519 private key is never in
# the database (the environment variable XIANGZHI_AUDIT_SIGNING_KEY, else this file, created on
# first use); every public key ever used stays in the keyring directory; the worker signs the
# chains' heads every day at XIANGZHI_AUDIT_CHECKPOINT_HOUR (local time, "" to switch it off).
XIANGZHI_AUDIT_SIGNING_KEY_FILE = Path(
    os.environ.get("XIANGZHI_AUDIT_SIGNING_KEY_FILE", VAR_DIR / "audit_signing_key")
)
XIANGZHI_AUDIT_PUBLIC_KEYS_DIR = Path(
    os.environ.get("XIANGZHI_AUDIT_PUBLIC_KEYS_DIR", VAR_DIR / "audit_public_keys")
)
XIANGZHI_AUDIT_CHECKPOINT_DIR = Path(
    os.environ.get("XIANGZHI_AUDIT_CHECKPOINT_DIR", VAR_DIR / "audit_checkpoints")
)
_checkpoint_hour = os.environ.get("XIANGZHI_AUDIT_CHECKPOINT_HOUR", "2")
XIANGZHI_AUDIT_CHECKPOINT_HOUR = int(_checkpoint_hour) if _checkpoint_hour else None
# The site's address as users reach it (https://xz.example.gov.cn): webhook messages (a WeCom
# group's "查看详情") link to it; without it they carry the bare path.
XIANGZHI_PUBLIC_URL = os.environ.get("XIANGZHI_PUBLIC_URL", "").rstrip("/")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("XIANGZHI_LOG_LEVEL", "WARNING")},
}
