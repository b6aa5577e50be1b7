from django.db import migrations, models


class Migration(migrations.Migration):
    """A category's notices and a joint issuer's notices, each read from an index alone.

    A list filtered by category and issuing body intersects the two sets of notice ids. With
    only ``category_id`` (and ``body_id``) indexed, each id was fetched from the table, or the
    body's ids probed the category index one by one: at 100,000 notices, 60 category + issuer
    (+ year) lists took count p95 10.4-11.0 and ids p95 10.1-10.3 ms in the database (18.8 /
    17.2 at worst); with these indexes 4.8-4.9 / 4.3-4.4 (5.5 / 4.8 at worst). The M2M table
    is Django's own, so its index is plain SQL (the same on PostgreSQL and SQLite).
    """

    dependencies = [("documents", "0016_reference_unit_kept")]

    operations = [
        migrations.AlterField(
            model_name="coissuer",
            name="body",
            field=models.ForeignKey(
                db_index=False,
                on_delete=models.deletion.PROTECT,
                to="documents.issuingbody",
                verbose_name="发文机关",
            ),
        ),
        migrations.AddIndex(
            model_name="coissuer",
            index=models.Index(fields=["body", "notice"], name="coissuer_body_notice"),
        ),
        migrations.RunSQL(
            "CREATE INDEX notice_categories_category_notice"
            " ON documents_notice_categories (category_id, notice_id)",
            "DROP INDEX notice_categories_category_notice",
        ),
    ]
