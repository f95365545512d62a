"""The floor the benchmark measures Proeftuin's HTTP figures against, in the same run: a
tiny Litestar app, served by uvicorn the way ``proeftuin api`` serves ours (the same
event loop and HTTP parser), with

- ``GET /const/{name}``: a constant JSON body of the same bytes as our answer (the
  challenge read, the challenge list), read from ``<bodies>/<name>.json`` at start;
- ``POST /insert``: a bare insert-and-commit of a two-field row, on the same ORM
  (SQLModel, ``service.db.create_engine``, so the same pool and pre-ping) and database.

    python -m bench.floor --port 8123 --database-url postgresql+asyncpg://... --bodies DIR
"""

from __future__ import annotations

import argparse
import asyncio
import os
from datetime import UTC, datetime
from pathlib import Path

import uvicorn
from litestar import Litestar, MediaType, Response, get, post
from pydantic import BaseModel
from sqlmodel import Field, SQLModel

from service.db import create_engine, create_session_factory
from service.eventloop import api_event_loop_factory


class BenchRow(SQLModel, table=True):
    __tablename__ = "bench_floor_rows"

    id: int | None = Field(default=None, primary_key=True)
    title: str
    body: str
    created_at: datetime


class RowIn(BaseModel):
    title: str
    body: str


def create_floor_app(database_url: str, bodies: dict[str, bytes]) -> Litestar:
    engine = create_engine(database_url)
    factory = create_session_factory(engine)

    @get("/const/{name:str}")
    async def constant(name: str) -> Response[bytes]:
        return Response(bodies[name], media_type=MediaType.JSON)

    @post("/insert")
    async def insert(data: RowIn) -> dict[str, int | None]:
        async with factory() as session:
            row = BenchRow(title=data.title, body=data.body, created_at=datetime.now(UTC))
            session.add(row)
            await session.commit()
            return {"id": row.id}

    async def create_table() -> None:
        async with engine.begin() as connection:
            await connection.run_sync(
                SQLModel.metadata.create_all,
                tables=[SQLModel.metadata.tables["bench_floor_rows"]],
            )

    async def dispose() -> None:
        await engine.dispose()

    return Litestar([constant, insert], on_startup=[create_table], on_shutdown=[dispose])


def _bodies(folder: str) -> dict[str, bytes]:
    return {p.stem: p.read_bytes() for p in Path(folder).glob("*.json")}


def granian_app() -> Litestar:
    """For ``granian --factory bench.floor:granian_app`` (BENCH_DATABASE_URL, BENCH_BODIES):
    the same app under granian, to compare the servers' floors."""
    return create_floor_app(os.environ["BENCH_DATABASE_URL"], _bodies(os.environ["BENCH_BODIES"]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--bodies", required=True, help="a folder of <name>.json files")
    parser.add_argument("--plain", action="store_true", help="asyncio and h11, not uvloop")
    args = parser.parse_args()
    app = create_floor_app(args.database_url, _bodies(args.bodies))
    http = "h11" if args.plain else "auto"  # auto: httptools when installed, as ours
    config = uvicorn.Config(app, host="127.0.0.1", port=args.port, log_level="warning", http=http)
    loop_factory = None if args.plain else api_event_loop_factory()
    with asyncio.Runner(loop_factory=loop_factory) as runner:
        runner.run(uvicorn.Server(config).serve())


if __name__ == "__main__":
    main()
