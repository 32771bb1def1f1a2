"""Database sessions, read with one plain query.

Every logged-in request loads its session; Django's database store builds and compiles an ORM
query for it each time, which cost more than running it. Writes, expiry and cleanup stay Django's.
"""

from __future__ import annotations

from django.contrib.sessions.backends.db import SessionStore as DatabaseStore
from django.db import connection
from django.utils import timezone


class _Row:
    __slots__ = ("session_data",)

    def __init__(self, session_data: str):
        self.session_data = session_data


class SessionStore(DatabaseStore):
    def _get_session_from_db(self):
        key = self.session_key  # validated by SessionBase: None unless 8+ safe characters
        if not key:
            self._session_key = None
            return None
        table = self.model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT session_data FROM {table} WHERE session_key = %s AND expire_date > %s",
                [key, connection.ops.adapt_datetimefield_value(timezone.now())],
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return _Row(row[0])
