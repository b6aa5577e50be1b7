"""The notices' search words without positions in a GIN index, to count matches.

The RUM index (0010) ranks and can count, but its entries hold each word's positions and
weights: counting a common word's 40,000 matches read it at 16–43 ms at 100,000 notices, the
GIN index of ``strip(vector)`` (158 MB against 1.6 GB) at 9–15 ms. See ``documents.ranking``.

Not partial (drafts too, 3 % more): PostgreSQL estimates how many rows ``strip(vector) @@ q``
matches from the statistics of the index's expression only when the index is not partial.
Without them it guessed 1 row for 54,000 and joined the matches to an issuer's 3,200 notices
by probing each of those for each match (minutes).
"""

from django.db import migrations

from documents.migrations._vendor import PostgreSQLOnly


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0013_view_counts_table"),
    ]

    operations = [
        PostgreSQLOnly(
            "CREATE INDEX searchentry_words_gin ON documents_searchentry "
            "USING gin (strip(vector)) WITH (fastupdate = off)",
            "DROP INDEX searchentry_words_gin",
        ),
    ]
