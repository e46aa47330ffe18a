"""The baseline for a save: FastAPI validating a small JSON body and inserting one row into
SQLite (WAL, synchronous=NORMAL, as Placecheck opens it), served by the same uvicorn. What a
save cannot go below on this machine: ``uvicorn --factory tests.benchmarks.bare_app:create``."""

import os
import sqlite3
import threading

from fastapi import FastAPI
from pydantic import BaseModel


class Answer(BaseModel):
    item_id: str
    value: int
    version: int


class Answers(BaseModel):
    answers: list[Answer]


def create() -> FastAPI:
    path = os.environ["BARE_DATABASE"]
    local = threading.local()

    def connection() -> sqlite3.Connection:
        if not hasattr(local, "db"):
            db = sqlite3.connect(path, timeout=30, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute(
                "CREATE TABLE IF NOT EXISTS answer "
                "(token TEXT, item_id TEXT, value INT, version INT)"
            )
            local.db = db
        db: sqlite3.Connection = local.db
        return db

    app = FastAPI()

    @app.put("/answers/{token}")
    def save(token: str, body: Answers) -> dict[str, list[dict[str, object]]]:
        db = connection()
        saved = []
        for answer in body.answers:
            db.execute(
                "INSERT INTO answer VALUES (?, ?, ?, ?)",
                (token, answer.item_id, answer.value, answer.version + 1),
            )
            saved.append({"item_id": answer.item_id, "version": answer.version + 1})
        return {"saved": saved}

    @app.get("/healthz")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return app
