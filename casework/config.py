"""Configuration from the environment.

Every setting a council changes at deployment comes from an environment variable (listed in
docs/configuration.md); `create_app(test_config)` may override any of them.
"""
from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSECURE_DEV_KEY = "dev-only-insecure-key"


class ConfigError(RuntimeError):
    """The app refuses to start with this configuration."""


def normalise_database_url(url: str) -> str:
    """Accept the URL forms hosting platforms hand out and use psycopg 3 for PostgreSQL."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value.strip())
    except ValueError:
        raise ConfigError(f"{name} must be a whole number (got {value!r})") from None


# Contact restrictions (004 §19, GH20): limits a council may set, and the range each must fall in.
RESTRICTION_SETTINGS = {
    # the longest a restriction may run from its start (GH20: for a period, never permanent)
    "CASEWORK_RESTRICTION_MAX_MONTHS": (12, 1, 24),
    # working days ahead that a review reminder is sent
    "CASEWORK_RESTRICTION_REMINDER_DAYS": (5, 1, 30),
}


def config_from_environment(instance_path: str) -> dict:
    env = os.environ.get("CASEWORK_ENV", "development").strip().lower()
    database_url = os.environ.get("DATABASE_URL") or (
        "sqlite:///" + str(Path(instance_path) / "casework.sqlite3")
    )
    return {
        "CASEWORK_ENV": env,
        "SECRET_KEY": os.environ.get("SECRET_KEY", INSECURE_DEV_KEY),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "CASEWORK_TIMEZONE": os.environ.get("CASEWORK_TIMEZONE", "Europe/London"),
        "CASEWORK_COUNCIL_NAME": os.environ.get("CASEWORK_COUNCIL_NAME", "Casework City Council"),
        "CASEWORK_POLICY_DIR": os.environ.get("CASEWORK_POLICY_DIR", str(PROJECT_ROOT / "policies")),
        "CASEWORK_BASE_URL": os.environ.get("CASEWORK_BASE_URL", "http://127.0.0.1:5000"),
        "CASEWORK_SCHEDULER": _bool("CASEWORK_SCHEDULER", False),
        "CASEWORK_PAGE_SIZE": int(os.environ.get("CASEWORK_PAGE_SIZE", "50")),
        "PERMANENT_SESSION_LIFETIME": int(os.environ.get("CASEWORK_SESSION_MINUTES", "480")) * 60,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env == "production",
        "MAIL_BACKEND": os.environ.get("MAIL_BACKEND", "smtp" if env == "production" else "outbox"),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", "localhost"),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25")),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME"),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD"),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS", False),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "complaints@casework.invalid"),
        "LOGIN_MAX_FAILURES": int(os.environ.get("CASEWORK_LOGIN_MAX_FAILURES", "5")),
        "LOGIN_LOCK_MINUTES": int(os.environ.get("CASEWORK_LOGIN_LOCK_MINUTES", "15")),
        **{name: _int(name, default) for name, (default, _low, _high) in RESTRICTION_SETTINGS.items()},
    }


def check_config(config) -> None:
    """Refuse configurations that would be unsafe in production, or settings out of range."""
    for name, (default, low, high) in RESTRICTION_SETTINGS.items():
        value = config.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ConfigError(f"{name} must be a whole number from {low} to {high} (got {value!r})")
    if config.get("CASEWORK_ENV") == "production":
        key = config.get("SECRET_KEY") or ""
        if key == INSECURE_DEV_KEY or len(key) < 32:
            raise ConfigError(
                "SECRET_KEY must be set to a random value of at least 32 characters in production "
                "(e.g. python -c 'import secrets; print(secrets.token_hex(32))')."
            )
