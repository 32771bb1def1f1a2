"""System checks of the app contract (`manage.py check` runs them)."""

from __future__ import annotations

from django.apps import apps
from django.core import checks

from .registry import ENTITIES, entity_models
from .scope import ScopedModel


@checks.register()
def scoped_models_are_registered(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Every scoped model is a registered entity, so the scope walk reaches it."""
    return contract_errors(apps.get_models())


def contract_errors(models) -> list[checks.CheckMessage]:
    """The app-contract problems of `models` (every installed model, for the system check)."""
    registered = entity_models()
    errors = []
    for model in models:
        if issubclass(model, ScopedModel) and model._meta.label_lower not in registered:
            errors.append(
                checks.Error(
                    f"{model._meta.label} is scoped but not registered with core",
                    hint="call core.registry.register_entity() in the app's AppConfig.ready()",
                    obj=model,
                    id="xiangzhi.E001",
                )
            )
        elif not issubclass(model, ScopedModel) and any(
            getattr(model, name, None)
            for name in ("SCOPE_PATH", "SCOPE_HOUSEHOLD", "SCOPE_DEPARTMENT", "SCOPE_OWNER")
        ):
            errors.append(
                checks.Error(
                    f"{model._meta.label} declares a scope but does not derive from ScopedModel",
                    obj=model,
                    id="xiangzhi.E002",
                )
            )
    for entity in ENTITIES.values():
        try:
            entity.model  # noqa: B018 - resolving the label is the check
        except LookupError:
            errors.append(
                checks.Error(
                    f"entity {entity.name!r} names a model that does not exist: "
                    f"{entity.model_label}",
                    id="xiangzhi.E003",
                )
            )
    return errors


@checks.register(checks.Tags.security, deploy=True)
def proxy_addresses_are_configured(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Behind a TLS proxy every request comes from the proxy's address unless we are told."""
    from django.conf import settings

    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None) and not settings.XIANGZHI_PROXY_COUNT:
        return [
            checks.Warning(
                "XIANGZHI_PROXY_SSL_HEADER is on but XIANGZHI_PROXY_COUNT is 0: login throttling "
                "and the audit trail will see the proxy's address for every user",
                hint="set XIANGZHI_PROXY_COUNT to the number of proxies in front of the app",
                id="xiangzhi.W001",
            )
        ]
    return []


@checks.register(checks.Tags.security, deploy=True)
def secrets_file_is_private(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """var/secrets.json holds the keys of every ID number: no one but its owner may read it."""
    from django.conf import settings

    path = getattr(settings, "SECRETS_FILE", None)
    try:
        mode = path.stat().st_mode if path else None
    except OSError:
        return []
    if mode is not None and mode & 0o077:
        return [
            checks.Warning(
                f"{path} can be read by other users (mode {mode & 0o777:o})",
                hint=f"chmod 600 {path}",
                id="xiangzhi.W002",
            )
        ]
    return []


@checks.register(checks.Tags.database)
def keys_open_the_data(app_configs=None, databases=None, **kwargs) -> list[checks.CheckMessage]:
    """The data keys in force decrypt what the database holds (migrate runs this before it
    starts, and `make serve` migrates first): keys lost or swapped stop the start, before a new
    record is encrypted under other keys than the rest."""
    from django.db import DatabaseError

    from .backup import BackupError, check_keys

    errors = []
    for alias in databases or ():
        try:
            check_keys(alias=alias)
        except BackupError as exc:
            errors.append(checks.Critical(str(exc), id="xiangzhi.E004"))
        except DatabaseError:  # not migrated yet: nothing encrypted to open
            continue
    return errors
