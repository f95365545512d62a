"""Database engine, sessions and the helpers every domain shares."""

from service.db.engine import create_engine, create_session_factory
from service.db.migrate import migrate

__all__ = ["create_engine", "create_session_factory", "migrate"]
