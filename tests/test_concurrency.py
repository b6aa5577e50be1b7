from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.test import Client

from documents.models import Notice
from tests import factories

VIEWS = 40


@pytest.mark.django_db(transaction=True)
def test_concurrent_views_lose_no_count():
    notice = factories.notice(sections=2)
    url = notice.get_absolute_url()

    def read(_):
        try:
            return Client().get(url).status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(read, range(VIEWS)))
    assert statuses == [200] * VIEWS
    assert Notice.objects.get(pk=notice.pk).view_count == VIEWS
