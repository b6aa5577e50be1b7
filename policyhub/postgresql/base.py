"""Django's PostgreSQL backend with a health check that costs no round trip.

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

from django.db.backends.postgresql import base


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
