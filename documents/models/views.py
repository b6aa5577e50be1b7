from django.db import models

from .archive import Notice


class NoticeViews(models.Model):
    """A notice's view count (点击), in a narrow table of its own. Counted in the notice row,
    every reading wrote a new version of that wide row, which kept the table's visibility map
    empty: an index-only scan of the notices (a deep page's ids, a count) had to read the table
    as well. A notice nobody has read has no row (a count of 0)."""

    notice = models.OneToOneField(
        Notice, on_delete=models.CASCADE, primary_key=True, related_name="views"
    )
    count = models.PositiveBigIntegerField("点击", default=0)

    class Meta:
        verbose_name = "点击数"
        verbose_name_plural = "点击数"

    def __str__(self):
        return f"{self.notice_id}: {self.count}"
