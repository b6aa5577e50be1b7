from django.db import migrations

from documents.migrations._vendor import PostgreSQLOnly


class Migration(migrations.Migration):
    dependencies = [("documents", "0007_archive_generation")]

    operations = [
        # The default list order (newest first) of published notices: a page walks this
        # index instead of sorting the archive. SQLite cannot index NULLS LAST.
        PostgreSQLOnly(
            "CREATE INDEX IF NOT EXISTS notice_published_newest ON documents_notice "
            "(issued_date DESC NULLS LAST, id DESC) WHERE status = 'published'",
            "DROP INDEX IF EXISTS notice_published_newest",
        ),
    ]
