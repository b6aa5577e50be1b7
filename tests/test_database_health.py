"""Persistent connections on PostgreSQL (CONN_MAX_AGE with Django's CONN_HEALTH_CHECKS): a
connection the server ended is replaced before a request's first query; a reading needs nothing
the server connection remembers."""

import select

import psycopg2
import pytest
from django.db import connection
from django.test import Client

from documents import readings
from tests import factories

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="a PostgreSQL server that ends a connection",
    ),
    # Ends the test's own server connection: outside a test transaction, which it would lose.
    pytest.mark.django_db(transaction=True),
]


def server_ends_the_connection():
    """Ask the server, from a second connection, to end this process's connection, and wait
    until its farewell has reached the socket."""
    pid = connection.connection.info.backend_pid
    settings = connection.get_connection_params()
    other = psycopg2.connect(**settings)
    try:
        other.autocommit = True
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            assert cursor.fetchone()[0]
    finally:
        other.close()
    assert select.select([connection.connection], [], [], 5)[0], "the server did not hang up"
    return pid


def backend_pid():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def test_a_connection_the_server_ended_is_replaced_before_the_query():
    connection.ensure_connection()
    ended = server_ends_the_connection()
    connection.health_check_done = False  # a new request

    assert backend_pid() != ended  # reconnected, and the query ran


def test_a_reader_after_a_database_restart_gets_the_page():
    notice = factories.notice(title="重启之后仍可阅读")
    connection.ensure_connection()
    server_ends_the_connection()
    connection.health_check_done = False  # Django resets it when a request starts

    page = Client().get(notice.get_absolute_url())

    assert page.status_code == 200
    assert "重启之后仍可阅读" in page.content.decode()


# --- a reading needs nothing the server connection remembers ----------------------------------


def test_a_reading_after_a_poolers_reset_is_counted():
    """Behind a connection pooler the server connection may be reset between clients
    (``DISCARD ALL``) or be another one: the reading is a plain statement, prepared nowhere."""
    notice = factories.notice()
    assert readings.record_reading(notice.pk).count == 1
    with connection.cursor() as cursor:
        cursor.execute("DISCARD ALL")
    assert readings.record_reading(notice.pk).count == 2
