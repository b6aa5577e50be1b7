"""Reads from a PostgreSQL streaming replica, writes (and anything an editor does) on the primary.

Active only when DATABASE_REPLICA_URL is set (see settings). A replica lags the primary by a
moment, so requests that write, and the whole admin, read from the primary too: an editor
always sees what they just saved.
"""

from contextvars import ContextVar

REPLICA = "replica"
_pinned_to_primary: ContextVar[bool] = ContextVar("pinned_to_primary", default=False)


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        return "default" if _pinned_to_primary.get() else REPLICA

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, two doors

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


class PinToPrimaryMiddleware:
    """Send the reads of unsafe requests and of the admin to the primary."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        pinned = request.method not in ("GET", "HEAD", "OPTIONS") or request.path.startswith(
            "/admin/"
        )
        token = _pinned_to_primary.set(pinned)
        try:
            return self.get_response(request)
        finally:
            _pinned_to_primary.reset(token)
