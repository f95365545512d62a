"""The OpenAPI docs, offline: Swagger UI (at ``/schema`` and ``/schema/swagger``) loads
its scripts and styles from the ``openapi-ui-bundles`` package, served by the app under
``/schema/assets/``. Litestar's default is a CDN, which an offline machine cannot reach
and the docs' content security policy does not allow.

Only Swagger UI: the other UIs Litestar offers either have no package that ships them
(Scalar, Stoplight Elements) or load from the internet whatever is done (Redoc's
sidebar logo, RapiDoc's fonts). The asset URLs carry the package's version, so a new
version is fetched anew while browsers keep an old one for long.
"""

from __future__ import annotations

from importlib.metadata import version

from litestar import Router
from litestar.datastructures import CacheControlHeader
from litestar.openapi.plugins import OpenAPIRenderPlugin, SwaggerRenderPlugin
from litestar.static_files import create_static_files_router
from openapi_ui_bundles import swagger_ui

DOCS_PATH = "/schema"
SWAGGER_UI = f"{DOCS_PATH}/assets/swagger-ui"


def _asset(name: str) -> str:
    return f"{SWAGGER_UI}/{name}?v={version('openapi-ui-bundles')}"


def render_plugins() -> list[OpenAPIRenderPlugin]:
    """Swagger UI, with its favicon from the bundle instead of Litestar's from the CDN."""
    return [
        SwaggerRenderPlugin(
            js_url=_asset("swagger-ui-bundle.js"),
            css_url=_asset("swagger-ui.css"),
            standalone_preset_js_url=_asset("swagger-ui-standalone-preset.js"),
            favicon=f"<link rel='icon' type='image/png' href='{_asset('favicon-32x32.png')}'>",
        )
    ]


def asset_routes() -> list[Router]:
    """The bundle's files, as static files (not in the schema)."""
    return [
        create_static_files_router(
            path=SWAGGER_UI,
            directories=[swagger_ui.static_path],
            name="docs-swagger-ui",
            cache_control=CacheControlHeader(max_age=7 * 24 * 3600),
            include_in_schema=False,
        )
    ]
