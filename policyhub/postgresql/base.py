"""Django's PostgreSQL backend with a cheaper health check for busy connections.

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

from django.db.backends.postgresql import base

# A connection a request used this recently is trusted on a quiet socket.
TRUST_SECONDS = 5.0


class DatabaseWrapper(base.DatabaseWrapper):
    last_checked = 0.0

    def init_connection_state(self):
        super().init_connection_state()
        self.last_checked = time.monotonic()

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
