"""Casework: complaints and casework for English local councils.

`create_app` is the one way to build the application (API.md); it loads configuration from the
environment, checks the policies and wires the extensions, blueprints, CLI and scheduler.
"""
from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the pure subpackages (policy, workdays) must import without Flask
    from flask import Flask


def create_app(test_config: dict | None = None) -> "Flask":
    from flask import Flask
    from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader

    from .config import PROJECT_ROOT, check_config, config_from_environment

    app = Flask(
        __name__,
        instance_relative_config=True,
        static_folder="static",
        static_url_path="/assets",
        template_folder=str(PROJECT_ROOT / "templates"),
    )
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(config_from_environment(app.instance_path))
    if test_config:
        app.config.from_mapping(test_config)
    check_config(app.config)

    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(PROJECT_ROOT / "templates")),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    from . import models  # noqa: F401  (registers the tables)
    from .extensions import csrf, db, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), compare_type=True, render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)

    from .operations.policies import init_policies

    init_policies(app)

    from .api import bp as api_bp
    from .web import init_web

    app.register_blueprint(api_bp)
    csrf.exempt(api_bp)
    init_web(app)

    from .cli import init_cli

    init_cli(app)

    from .jobs import init_scheduler

    init_scheduler(app)
    return app


__all__ = ["create_app"]
