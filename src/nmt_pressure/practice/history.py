"""Practice history: one SQLite file (standard library ``sqlite3``) with schema migrations.

Tables: ``practitioners`` (who practised), ``sessions`` (one sitting: when, which device, the recording
made of it if any) and ``drill_results`` (one played drill: its status - ``completed``, ``stopped``, or
``abandoned`` when no press was made, which has no score -, the overall score, its four components,
what to work on, and the whole score card as JSON). The schema's version is SQLite's ``user_version``;
:data:`MIGRATIONS` brings any older file up to date, each step in one transaction, so a file is never
left half-migrated. A file from a newer version of the program is refused rather than guessed at.

Every problem a user can cause (a folder that cannot be written, a file that is not a database, one from
the future) is a :class:`HistoryError` with one sentence naming the fix.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from nmt_pressure.analysis.report import to_json  # strict JSON: NaN (a missed hold's CV) becomes null

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "History", "HistoryError", "ResultRow"]

#: Each entry takes the database from version i to i + 1.
MIGRATIONS: tuple[str, ...] = (
    # 1: the first schema.
    """
    CREATE TABLE practitioners (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        created TEXT NOT NULL
    );
    CREATE TABLE sessions (
        id INTEGER PRIMARY KEY,
        practitioner_id INTEGER NOT NULL REFERENCES practitioners(id),
        started TEXT NOT NULL,
        device TEXT NOT NULL DEFAULT '',
        recording TEXT
    );
    CREATE TABLE drill_results (
        id INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        drill TEXT NOT NULL,
        title TEXT NOT NULL,
        finished TEXT NOT NULL,
        completed INTEGER NOT NULL,
        score REAL NOT NULL,
        time_in_band REAL,
        steadiness REAL,
        ramp_rate REAL,
        hold_duration REAL,
        work_on TEXT NOT NULL DEFAULT '',
        card TEXT NOT NULL
    );
    CREATE INDEX drill_results_by_session ON drill_results(session_id);
    """,
    # 2: sessions end, and a free note (what was practised on, how it felt).
    """
    ALTER TABLE sessions ADD COLUMN ended TEXT;
    ALTER TABLE sessions ADD COLUMN note TEXT NOT NULL DEFAULT '';
    CREATE INDEX sessions_by_practitioner ON sessions(practitioner_id, started);
    """,
    # 3: a result's status; an abandoned drill (no press made) has no score. SQLite cannot drop a
    # NOT NULL, so the table is rebuilt (its rows kept, their status told by `completed`).
    """
    CREATE TABLE drill_results_v3 (
        id INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        drill TEXT NOT NULL,
        title TEXT NOT NULL,
        finished TEXT NOT NULL,
        completed INTEGER NOT NULL,
        score REAL,
        time_in_band REAL,
        steadiness REAL,
        ramp_rate REAL,
        hold_duration REAL,
        work_on TEXT NOT NULL DEFAULT '',
        card TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'completed'
    );
    INSERT INTO drill_results_v3 (id, session_id, drill, title, finished, completed, score, time_in_band,
                                  steadiness, ramp_rate, hold_duration, work_on, card, status)
        SELECT id, session_id, drill, title, finished, completed, score, time_in_band, steadiness,
               ramp_rate, hold_duration, work_on, card,
               CASE completed WHEN 1 THEN 'completed' ELSE 'stopped' END
        FROM drill_results;
    DROP TABLE drill_results;
    ALTER TABLE drill_results_v3 RENAME TO drill_results;
    CREATE INDEX drill_results_by_session ON drill_results(session_id);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)

#: Columns of an exported result row, in order.
EXPORT_COLUMNS = ("result_id", "practitioner", "session_id", "started", "finished", "drill", "title",
                  "completed", "score", "time_in_band", "steadiness", "ramp_rate", "hold_duration",
                  "work_on", "device", "recording", "status")


class HistoryError(Exception):
    """The history database cannot be used as asked (one sentence naming the fix)."""


@dataclass(frozen=True)
class ResultRow:
    result_id: int
    practitioner: str
    session_id: int
    started: str
    finished: str
    drill: str
    title: str
    completed: bool
    score: float | None  # None: abandoned (no press was made), not scored
    time_in_band: float | None
    steadiness: float | None
    ramp_rate: float | None
    hold_duration: float | None
    work_on: str
    device: str
    recording: str | None
    status: str = "completed"

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in EXPORT_COLUMNS}


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class History:
    """The practice history in one file; use as a context manager or call :meth:`close`."""

    def __init__(self, path: str | Path, timeout: float = 5.0) -> None:
        """``timeout``: seconds to wait for another connection's write lock before giving up."""
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.path, timeout=timeout)
        except (OSError, sqlite3.Error) as exc:
            raise HistoryError(f"cannot open the practice history {self.path} ({exc}); check that its "
                               "folder is writable, or set NMT_PRESSURE_HOME to another folder.") from None
        self.db.row_factory = sqlite3.Row
        try:
            self.db.execute("PRAGMA foreign_keys = ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            self.db.close()
            raise self._refusal(exc) from None

    def _refusal(self, exc: sqlite3.Error, doing: str = "") -> HistoryError:
        """Why the history could not be opened (``doing`` empty) or used (``doing``: "read", "write
        to"), in one sentence naming the fix, by SQLite's primary error code. A file another program
        holds locked, or one that cannot be written, is a good history that must not be moved away.
        Opening, what remains is "not a practice history" (a file SQLite does not recognise, tables
        that are not ours); in use, only a file SQLite finds damaged is told to be moved away."""
        code = getattr(exc, "sqlite_errorcode", -1) & 0xFF  # an extended code's primary code
        if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
            return HistoryError(f"the practice history {self.path} is locked by another program ({exc}); "
                                "close the other nmt-pressure window using it and try again, or set "
                                "NMT_PRESSURE_HOME to another folder.")
        if code in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM,
                    sqlite3.SQLITE_IOERR, sqlite3.SQLITE_FULL):
            return HistoryError(f"cannot {doing or 'write'} the practice history {self.path} ({exc}); "
                                "check that its folder is writable and has space, or set "
                                "NMT_PRESSURE_HOME to another folder.")
        if doing and code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
            return HistoryError(f"cannot {doing} the practice history {self.path} ({exc}): it is damaged; "
                                "keep a copy, then move it away and a new one is made, or set "
                                "NMT_PRESSURE_HOME to another folder.")
        if doing:
            return HistoryError(f"cannot {doing} the practice history {self.path} ({exc}); check that its "
                                "folder is writable and no other program holds the file, or set "
                                "NMT_PRESSURE_HOME to another folder.")
        return HistoryError(f"{self.path} is not a practice history database ({exc}); move it away "
                            "and a new one is made.")

    # ---------------------------------------------------------------- schema
    @property
    def version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        while True:
            current = self.version
            if current > SCHEMA_VERSION:
                self.db.close()
                raise HistoryError(f"{self.path} was written by a newer nmt-pressure (schema {current}, this "
                                   f"one knows {SCHEMA_VERSION}); upgrade nmt-pressure to read it.")
            if current == SCHEMA_VERSION:
                return
            try:
                # executescript commits first; BEGIN..COMMIT makes each step all-or-nothing.
                self.db.executescript(
                    f"BEGIN IMMEDIATE;\n{MIGRATIONS[current]}\nPRAGMA user_version = {current + 1};\nCOMMIT;")
            except sqlite3.OperationalError:
                # Another connection (the dashboard's drill panel and its session, two programs) may
                # have taken this step between reading the version and the write lock: the step then
                # fails ("table ... already exists") on a file that is fine. Read the version again
                # and go on from there; a step that failed on a file nobody else moved on is an error.
                if self.db.in_transaction:
                    self.db.execute("ROLLBACK")
                if self.version <= current:
                    raise

    @contextlib.contextmanager
    def _using(self, doing: str) -> Iterator[None]:
        """SQLite's errors after the file opened (locked by another program, read-only, disk full,
        damaged) as a HistoryError told as ``_refusal`` tells them: the callers say it in one
        sentence instead of showing a traceback."""
        try:
            yield
        except sqlite3.Error as exc:
            raise self._refusal(exc, doing) from None

    # ---------------------------------------------------------------- writing
    def practitioner_id(self, name: str) -> int:
        clean = " ".join(name.split())
        if not clean:
            raise HistoryError("the practitioner's name is empty; give a name with --practitioner NAME.")
        with self._using("write to"), self.db:
            self.db.execute("INSERT OR IGNORE INTO practitioners(name, created) VALUES (?, ?)",
                            (clean, now_iso()))
        with self._using("read"):
            row = self.db.execute("SELECT id FROM practitioners WHERE name = ?", (clean,)).fetchone()
        return int(row[0])

    def start_session(self, practitioner: str, device: str = "", recording: str | None = None,
                      note: str = "", started: str | None = None) -> int:
        """A new sitting; ``started`` (ISO 8601, UTC) defaults to now."""
        pid = self.practitioner_id(practitioner)
        with self._using("write to"), self.db:
            cur = self.db.execute(
                "INSERT INTO sessions(practitioner_id, started, device, recording, note) "
                "VALUES (?, ?, ?, ?, ?)",
                (pid, started or now_iso(), device, recording, note))
        return int(cur.lastrowid or 0)

    def end_session(self, session_id: int) -> None:
        with self._using("write to"), self.db:
            self.db.execute("UPDATE sessions SET ended = ? WHERE id = ?", (now_iso(), session_id))

    def add_result(self, session_id: int, card: Any) -> int:
        """Store a :class:`~nmt_pressure.practice.score.ScoreCard`."""
        c = card.components
        with self._using("write to"), self.db:
            cur = self.db.execute(
                "INSERT INTO drill_results(session_id, drill, title, finished, completed, score, "
                "time_in_band, steadiness, ramp_rate, hold_duration, work_on, card, status) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (session_id, card.drill, card.title, now_iso(), int(card.completed),
                 None if card.overall is None else float(card.overall),
                 c.get("time_in_band"), c.get("steadiness"), c.get("ramp_rate"), c.get("hold_duration"),
                 "; ".join(card.work_on), to_json(card.to_dict()), card.status))
        return int(cur.lastrowid or 0)

    # ---------------------------------------------------------------- reading
    def practitioners(self) -> list[str]:
        with self._using("read"):
            return [r[0] for r in self.db.execute("SELECT name FROM practitioners ORDER BY name")]

    def results(self, practitioner: str | None = None, drill: str | None = None) -> list[ResultRow]:
        sql = ("SELECT r.id, p.name, s.id, s.started, r.finished, r.drill, r.title, r.completed, r.score, "
               "r.time_in_band, r.steadiness, r.ramp_rate, r.hold_duration, r.work_on, s.device, "
               "s.recording, r.status "
               "FROM drill_results r JOIN sessions s ON r.session_id = s.id "
               "JOIN practitioners p ON s.practitioner_id = p.id")
        where, args = [], []
        if practitioner is not None:
            where.append("p.name = ?")
            args.append(" ".join(practitioner.split()))
        if drill is not None:
            where.append("r.drill = ?")
            args.append(drill)
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY r.finished, r.id"
        with self._using("read"):
            found = self.db.execute(sql, args).fetchall()
        return [ResultRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], bool(r[7]), r[8], r[9], r[10], r[11],
                          r[12], r[13], r[14], r[15], r[16]) for r in found]

    def card(self, result_id: int) -> dict[str, Any]:
        row = self.db.execute("SELECT card FROM drill_results WHERE id = ?", (result_id,)).fetchone()
        if row is None:
            raise HistoryError(f"there is no drill result {result_id}; `nmt-pressure history` lists them.")
        return dict(json.loads(row[0]))

    # ---------------------------------------------------------------- export
    @staticmethod
    def export_csv(rows: Sequence[ResultRow]) -> str:
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        w.writerow(EXPORT_COLUMNS)
        for r in rows:
            w.writerow(["" if v is None else v for v in (getattr(r, k) for k in EXPORT_COLUMNS)])
        return out.getvalue()

    @staticmethod
    def export_json(rows: Sequence[ResultRow]) -> str:
        return json.dumps([r.to_dict() for r in rows], indent=2) + "\n"

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self.db.close()

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __iter__(self) -> Iterator[ResultRow]:
        return iter(self.results())

