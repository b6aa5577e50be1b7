"""Django's PostgreSQL backend with a health check that costs no round trip, and statements
prepared once per connection (``execute_prepared``).

With persistent connections (CONN_MAX_AGE) Django checks, at the first query of every request,
that the connection still works (CONN_HEALTH_CHECKS): a ``SELECT 1`` to the server and back.
On a page that needs one statement of its own (a notice: its view count) that check was a
second round trip, and in a profile of the detail page under load it took 29 % of a server
process's time, three times the page's own statement.

An idle connection whose server is alive has nothing to read: the server speaks only when
asked. When the server ends a connection (a restart, ``pg_terminate_backend``, an idle timeout)
it sends its farewell and closes the socket, which makes the socket readable. So the check
first asks the operating system whether the idle socket has anything to read (no round trip);
only if it has does it run Django's ``SELECT 1``, which then fails and makes Django reconnect
before the request's query runs.
"""

import select

from django.db import DatabaseError
from django.db.backends.postgresql import base
from psycopg2.errors import DuplicatePreparedStatement, InvalidSqlStatementName


class DatabaseWrapper(base.DatabaseWrapper):
    def close_if_health_check_failed(self):
        """Django's check (``SELECT 1``, reconnect if it fails) only when the idle socket has
        something to read. After an error in a request Django still asks ``is_usable``, the
        ``SELECT 1``, whether to keep the connection: that path is unchanged."""
        if (
            self.health_check_enabled
            and not self.health_check_done
            and self.connection is not None
            and not self.connection.closed
            and self._socket_is_quiet()
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def _socket_is_quiet(self) -> bool:
        try:
            poller = select.poll()
            poller.register(
                self.connection.fileno(), select.POLLIN | select.POLLERR | select.POLLHUP
            )
            return not poller.poll(0)
        except (OSError, ValueError):
            return False

    # --- prepared statements ---------------------------------------------------------------

    def init_connection_state(self):
        super().init_connection_state()
        self.prepared_statements = set()  # what this server connection has been asked to PREPARE

    def execute_prepared(self, cursor, name, statement, params, *, prefix=""):
        """Run ``statement`` (placeholders ``$1``, ``$2`` …) as a statement prepared once per
        server connection: PostgreSQL parses and plans it at the first call, not at every
        call. For a statement on every request (a notice reading), planning was over 40 % of
        the server's time for it. ``prefix`` goes before the EXECUTE in the same query string
        (a ``SET LOCAL``).

        A server that forgot the statement (``DISCARD ALL`` from a connection pooler) gets it
        prepared again; one that already has it (a pooler's reused server connection) is used
        as it is. Inside an atomic block a failed statement ends the transaction, so there the
        error is raised."""
        placeholders = ", ".join(["%s"] * len(params))
        execute = f"{prefix}EXECUTE {name}({placeholders})"
        if name not in self.prepared_statements:
            self._prepare(cursor, name, statement)
        try:
            cursor.execute(execute, params)
        except DatabaseError as error:
            if self.in_atomic_block or not isinstance(error.__cause__, InvalidSqlStatementName):
                raise
            self._prepare(cursor, name, statement)
            cursor.execute(execute, params)

    def _prepare(self, cursor, name, statement):
        try:
            cursor.execute(f"PREPARE {name} AS {statement}")
        except DatabaseError as error:
            if self.in_atomic_block or not isinstance(error.__cause__, DuplicatePreparedStatement):
                raise
        self.prepared_statements.add(name)
