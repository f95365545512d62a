"""The typed contracts shared by the API and the workflows.

Plain pydantic models only: workflows import this package inside their sandbox, so it
must stay free of SQLModel, SQLAlchemy and anything with side effects, and no model here
has a ``default_factory`` that reads the clock or draws randomness.
"""
