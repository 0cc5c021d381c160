"""Reading `HOME/sources.yaml`: which HTTP sources to pull and where their secrets live.

The file names environment variables, never secrets, so it can be committed. A wrong shape
raises SourcesConfigError naming the file and the key; values of `*_env` keys are not
echoed back because a pasted secret is the likeliest mistake there."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path


from configuration.config_files import ConfigError, load_yaml_mapping

SOURCES_FILE = "sources.yaml"
ACTBLUE_CSV_TYPES = ("paid_contributions", "refunded_contributions", "managed_form_contributions")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class SourcesConfigError(ConfigError):
    """sources.yaml is unreadable or has the wrong shape (the CLI exits 2 on ConfigError)."""


class MissingCredentialError(SourcesConfigError):
    """An environment variable named in sources.yaml is not set."""


@dataclass(frozen=True)
class MobilizeConfig:
    base_url: str
    organization_id: str
    token_env: str
    per_page: int = 100


@dataclass(frozen=True)
class ActBlueConfig:
    base_url: str
    client_uuid_env: str
    client_secret_env: str
    start_date: date
    csv_type: str = "paid_contributions"


@dataclass(frozen=True)
class DncFederalConfig:
    url: str
    username_env: str | None = None
    password_env: str | None = None


@dataclass(frozen=True)
class SourcesConfig:
    path: Path
    mobilize: MobilizeConfig | None = None
    actblue: ActBlueConfig | None = None
    dnc_federal: DncFederalConfig | None = None

    @property
    def configured(self) -> list[str]:
        return [name for name in ("mobilize", "actblue", "dnc_federal") if getattr(self, name) is not None]


def load_sources_config(home: Path) -> SourcesConfig:
    """The HTTP sources configured in HOME/sources.yaml; an absent file configures none."""
    path = Path(home) / SOURCES_FILE
    if not path.exists():
        return SourcesConfig(path=path)
    data = load_yaml_mapping(path, SourcesConfigError, empty_ok=True)
    _reject_unknown(path, "", data, ("mobilize", "actblue", "dnc_federal"))
    readers = {"mobilize": _mobilize, "actblue": _actblue, "dnc_federal": _dnc_federal}
    sections = {}
    for name, reader in readers.items():
        if data.get(name) is None:
            continue
        section = data[name]
        if not isinstance(section, dict):
            raise SourcesConfigError(f"{path}: key '{name}' must be a mapping.")
        sections[name] = reader(path, name, section)
    return SourcesConfig(path=path, **sections)


def credential(env_name: str, source: str) -> str:
    """The value of an environment variable named in sources.yaml."""
    value = os.environ.get(env_name, "")
    if not value.strip():
        raise MissingCredentialError(
            f"{source}: environment variable {env_name} is not set (sources.yaml names it for this source's credentials)."
        )
    return value


def _reject_unknown(path: Path, where: str, section: dict, allowed: tuple[str, ...]) -> None:
    # A misspelt key would otherwise be ignored silently, and a literal `token:` would sit in
    # a file that is meant to hold no secrets.
    for key in section:
        if key not in allowed:
            hint = " (put secrets in environment variables and name them in the *_env keys)" if _looks_secret(key) else ""
            raise SourcesConfigError(f"{path}: unknown key '{where}{key}'{hint}; expected one of {', '.join(allowed)}.")


def _looks_secret(key) -> bool:
    return isinstance(key, str) and any(word in key.lower() for word in ("token", "secret", "password", "key", "uuid"))


def _text(path: Path, section: dict, where: str, key: str, required: bool = True) -> str | None:
    value = section.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise SourcesConfigError(f"{path}: missing required key '{where}.{key}'.")
        return None
    if not isinstance(value, str):
        raise SourcesConfigError(f"{path}: key '{where}.{key}' must be a string.")
    return value.strip()


def _url(path: Path, section: dict, where: str, key: str) -> str:
    value = _text(path, section, where, key)
    if not re.match(r"^https?://[^/\s]+", value):
        raise SourcesConfigError(f"{path}: key '{where}.{key}' must be an http(s) URL.")
    return value.rstrip("/")


def _env_name(path: Path, section: dict, where: str, key: str, required: bool = True) -> str | None:
    value = _text(path, section, where, key, required)
    if value is not None and not _ENV_NAME.match(value):
        raise SourcesConfigError(f"{path}: key '{where}.{key}' must name an environment variable (letters, digits, '_').")
    return value


def _mobilize(path: Path, where: str, section: dict) -> MobilizeConfig:
    _reject_unknown(path, f"{where}.", section, ("base_url", "organization_id", "token_env", "per_page"))
    organization_id = section.get("organization_id")
    if isinstance(organization_id, bool) or not re.fullmatch(r"\d+", str(organization_id if organization_id is not None else "")):
        raise SourcesConfigError(f"{path}: key '{where}.organization_id' must be a number.")
    per_page = section.get("per_page", 100)
    if isinstance(per_page, bool) or not isinstance(per_page, int) or not 1 <= per_page <= 1000:
        raise SourcesConfigError(f"{path}: key '{where}.per_page' must be a whole number from 1 to 1000.")
    return MobilizeConfig(
        base_url=_url(path, section, where, "base_url"),
        organization_id=str(organization_id),
        token_env=_env_name(path, section, where, "token_env"),
        per_page=per_page,
    )


def _actblue(path: Path, where: str, section: dict) -> ActBlueConfig:
    _reject_unknown(path, f"{where}.", section, ("base_url", "client_uuid_env", "client_secret_env", "csv_type", "start_date"))
    csv_type = section.get("csv_type", "paid_contributions")
    if csv_type not in ACTBLUE_CSV_TYPES:
        raise SourcesConfigError(f"{path}: key '{where}.csv_type' is '{csv_type}', expected one of {', '.join(ACTBLUE_CSV_TYPES)}.")
    return ActBlueConfig(
        base_url=_url(path, section, where, "base_url"),
        client_uuid_env=_env_name(path, section, where, "client_uuid_env"),
        client_secret_env=_env_name(path, section, where, "client_secret_env"),
        start_date=_date(path, section, where, "start_date"),
        csv_type=csv_type,
    )


def _date(path: Path, section: dict, where: str, key: str) -> date:
    value = section.get(key)
    if value is None:
        raise SourcesConfigError(f"{path}: missing required key '{where}.{key}'.")
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):  # YAML reads an unquoted 2026-01-01 as a date already
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise SourcesConfigError(f"{path}: key '{where}.{key}' must be a date YYYY-MM-DD.") from None


def _dnc_federal(path: Path, where: str, section: dict) -> DncFederalConfig:
    _reject_unknown(path, f"{where}.", section, ("url", "username_env", "password_env"))
    username_env = _env_name(path, section, where, "username_env", required=False)
    password_env = _env_name(path, section, where, "password_env", required=False)
    if (username_env is None) != (password_env is None):
        raise SourcesConfigError(f"{path}: keys '{where}.username_env' and '{where}.password_env' go together (HTTP Basic needs both).")
    return DncFederalConfig(url=_url(path, section, where, "url"), username_env=username_env, password_env=password_env)
