"""The REST API (``/api/v1``): FastAPI app factory, authentication, routes and problem responses."""

from insurable.api.app import create_app

__all__ = ["create_app"]
