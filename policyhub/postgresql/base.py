"""Django's PostgreSQL backend with a cheaper health check for busy connections, and
statements prepared once per connection (``execute_prepared``).

With persistent connections (CONN_MAX_AGE) Django checks, at the first query of every request,
that the connection still works (CONN_HEALTH_CHECKS): a ``SELECT 1`` to the server and back.
On a page that needs one statement of its own (a notice: its view count) that check was a
second round trip, and in a profile of the detail page under load it took 29 % of a server
process's time, three times the page's own statement.

An idle connection whose server is alive has nothing to read: the server speaks only when
asked. When the server ends a connection (a restart, ``pg_terminate_backend``, an idle timeout)
it sends its farewell and closes the socket, which makes the socket readable. So for a
connection that a request used moments ago the check asks the operating system whether the
socket has anything to read (no round trip), and runs Django's ``SELECT 1`` only if it has.
A connection can also die silently (a NAT or firewall forgetting it, a failover), which only a
round trip finds: that happens to connections left idle, so one idle for longer than
``TRUST_SECONDS`` gets Django's ``SELECT 1`` as before.
"""

import select
import time

from django.db import DatabaseError
from django.db.backends.postgresql import base
from psycopg2.errors import DuplicatePreparedStatement, InvalidSqlStatementName

# A connection a request used this recently is trusted on a quiet socket.
TRUST_SECONDS = 5.0


class DatabaseWrapper(base.DatabaseWrapper):
    last_checked = 0.0

    def close_if_health_check_failed(self):
        """Django's check (``SELECT 1``, reconnect if it fails) unless the connection was used
        within ``TRUST_SECONDS`` and its socket has nothing to read. After an error in a
        request Django still asks ``is_usable``, the ``SELECT 1``, whether to keep the
        connection: that path is unchanged."""
        if (
            self.health_check_enabled
            and not self.health_check_done
            and self.connection is not None
            and not self.connection.closed
            and time.monotonic() - self.last_checked < TRUST_SECONDS
            and self._socket_is_quiet()
        ):
            self.health_check_done = True
        else:
            super().close_if_health_check_failed()
        self.last_checked = time.monotonic()

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
        self.last_checked = time.monotonic()
        self.prepared_statements = set()  # PREPAREd on this server connection
        self.unprepared_statements = set()  # not to be prepared again on it (see below)

    def execute_prepared(self, cursor, name, statement, params, *, prefix=""):
        """Run ``statement`` (``%s`` placeholders, as for ``cursor.execute``) as a statement
        prepared once per server connection: PostgreSQL parses and plans it at the first call,
        not at every call. For a statement on every request (a notice reading), planning was
        over 40 % of the server's time for it. ``prefix`` goes before it in the same query
        string (a ``SET LOCAL``).

        If the server does not have the statement when it is executed (a connection pooler's
        ``DISCARD ALL`` between clients; in transaction pooling, another server connection),
        it runs unprepared, and stays so on this connection: nothing fails, the saving is lost
        until the next connection. A server connection that already has it (a pooler reusing
        one) is used as it is. Inside an atomic block a failed statement ends the transaction,
        so there the error is raised."""
        if name in self.unprepared_statements:
            cursor.execute(prefix + statement, params)
            return
        if name not in self.prepared_statements:
            numbered = statement % tuple(f"${n}" for n in range(1, len(params) + 1))
            try:
                cursor.execute(f"PREPARE {name} AS {numbered}")
            except DatabaseError as error:
                if self.in_atomic_block or not isinstance(
                    error.__cause__, DuplicatePreparedStatement
                ):
                    raise
            self.prepared_statements.add(name)
        try:
            cursor.execute(f"{prefix}EXECUTE {name}({', '.join(['%s'] * len(params))})", params)
        except DatabaseError as error:
            if self.in_atomic_block or not isinstance(error.__cause__, InvalidSqlStatementName):
                raise
            self.prepared_statements.discard(name)
            self.unprepared_statements.add(name)
            cursor.execute(prefix + statement, params)
