"""Search that ranks every match: a RUM index on PostgreSQL, an FTS5 table on SQLite.

PostgreSQL: the GIN index (matches only; ranking read every match's 17 KB tsvector) and the
newest-first index of the candidate walk give way to a RUM index, which keeps each word's
positions and weights in the index and returns the matches in order of relevance. See
``documents.ranking`` and the README's "Search" section for the measurements behind it.
"""

from django.contrib.postgres.operations import CreateExtension
from django.db import migrations

from documents.migrations._vendor import PostgreSQLOnly, SQLiteOnly

# PostgreSQL charges `tsvector @@ tsquery` like any cheap operator, but on a stored row it first
# reads and decompresses the notice's whole vector (17 KB): for a word most notices hold, the
# planner then reads every vector (1 s at 100,000 notices) rather than the index (13-33 ms),
# and with a category it tests the vectors of the category's notices one by one (12,000 of
# them: 124 ms at COST 100, against 21 ms by the index at COST 1000, about the 10 µs that a
# vector costs). A cost that says so (as PostGIS does for its functions) keeps it on the
# index; a notice looked up by its id is still tested on its row. Only a
# superuser may change a built-in function; anyone else is told what to run.
MATCH_COST = """
DO $$
BEGIN
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        ALTER FUNCTION pg_catalog.ts_match_vq(tsvector, tsquery) COST 1000;
    ELSE
        RAISE WARNING 'PolicyHub search: as a superuser, run ALTER FUNCTION '
            'pg_catalog.ts_match_vq(tsvector, tsquery) COST 1000; until then, counting the '
            'matches of a very common word reads every notice''s search vector.';
    END IF;
END
$$;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0009_scale_indexes"),
    ]

    operations = [
        CreateExtension("rum"),
        PostgreSQLOnly(
            "DROP INDEX IF EXISTS searchentry_vector_gin",
            "CREATE INDEX searchentry_vector_gin ON documents_searchentry USING gin (vector)",
        ),
        PostgreSQLOnly(
            "DROP INDEX IF EXISTS searchentry_published_date",
            "CREATE INDEX searchentry_published_date ON documents_searchentry "
            "(is_published, issued_date DESC NULLS LAST, notice_id DESC)",
        ),
        # The date served only that walk.
        migrations.RemoveField(model_name="searchentry", name="issued_date"),
        PostgreSQLOnly(
            "CREATE INDEX searchentry_vector_rum ON documents_searchentry "
            "USING rum (vector rum_tsvector_ops) WHERE is_published",
            "DROP INDEX searchentry_vector_rum",
        ),
        PostgreSQLOnly(
            MATCH_COST,
            "ALTER FUNCTION pg_catalog.ts_match_vq(tsvector, tsquery) COST 1",
        ),
        # One row per notice (rowid = the notice's id) with its stored words in three columns,
        # ranked by bm25() with the weights of PostgreSQL's A, B and C.
        SQLiteOnly(
            "CREATE VIRTUAL TABLE documents_searchindex USING fts5("
            "title, headings, body, tokenize = 'unicode61 remove_diacritics 0')",
            "DROP TABLE documents_searchindex",
        ),
        SQLiteOnly(
            "INSERT INTO documents_searchindex (rowid, title, headings, body) "
            "SELECT id, search_title, search_headings, search_body FROM documents_notice",
            migrations.RunSQL.noop,
        ),
    ]
