import secrets

from django.db import models

from .archive import Notice


def new_page_version() -> int:
    """A number drawn afresh for each change of a notice's page (see ``page_version``)."""
    return secrets.randbits(62)


class NoticeViews(models.Model):
    """What every reading of a notice reads and writes, in a narrow table of its own: the view
    count (点击) and the version of the notice's page. Counted in the notice row, every reading
    wrote a new version of that wide row, which kept the table's visibility map empty: an
    index-only scan of the notices (a deep page's ids, a count) had to read the table as well.
    A notice nobody has read, and whose page has not been kept, may have no row (a count of 0).
    """

    notice = models.OneToOneField(
        Notice, on_delete=models.CASCADE, primary_key=True, related_name="views"
    )
    count = models.PositiveBigIntegerField("点击", default=0)
    # The key of the notice's kept page (documents.notice_pages): drawn afresh, at random,
    # whenever something the page shows changes, so that a page kept under an old number is
    # never served again, even for a notice restored under the same id.
    page_version = models.PositiveBigIntegerField("页面版本", default=new_page_version)

    class Meta:
        verbose_name = "点击数"
        verbose_name_plural = "点击数"

    def __str__(self):
        return f"{self.notice_id}: {self.count}"
