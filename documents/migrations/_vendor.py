"""Migration operations that only one database runs: the search indexes differ by vendor."""

from django.db import migrations


class VendorOnly(migrations.RunSQL):
    """SQL that only one database vendor has; the others skip it."""

    vendor = ""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == self.vendor:
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == self.vendor:
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class PostgreSQLOnly(VendorOnly):
    """SQL that only PostgreSQL has (a RUM index on a tsvector); other databases skip it."""

    vendor = "postgresql"


class SQLiteOnly(VendorOnly):
    """SQL that only SQLite has (an FTS5 table); other databases skip it."""

    vendor = "sqlite"
