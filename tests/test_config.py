"""Configuration from the environment; production refuses an insecure SECRET_KEY."""
from __future__ import annotations

import pytest

from casework import create_app
from casework.config import ConfigError, normalise_database_url


def test_default_database_is_sqlite_in_the_instance_folder(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("instance/casework.sqlite3")


def test_database_url_from_environment(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db:5432/casework")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db:5432/casework"


@pytest.mark.parametrize("url, expected", [
    ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
    ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
    ("sqlite:///x.db", "sqlite:///x.db"),
])
def test_normalise_database_url(url, expected):
    assert normalise_database_url(url) == expected


def test_production_refuses_to_start_without_a_real_secret_key(monkeypatch):
    monkeypatch.setenv("CASEWORK_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()
    monkeypatch.setenv("SECRET_KEY", "short")
    with pytest.raises(ConfigError):
        create_app()
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_refuses_to_start_on_an_invalid_policy(tmp_path):
    (tmp_path / "corporate.toml").write_text('key = "corporate"\n')
    with pytest.raises(RuntimeError, match="policies"):
        create_app({"CASEWORK_POLICY_DIR": str(tmp_path)})


def test_test_config_overrides(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp_path / "x.db"), "CASEWORK_PAGE_SIZE": 7})
    assert app.config["CASEWORK_PAGE_SIZE"] == 7
