"""The full-text search uses its GIN index rather than reading every finding."""

import pytest
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection

from assessments.models import Finding

pytestmark = pytest.mark.django_db


def test_finding_search_can_use_the_gin_index(published_sample):
    query = SearchQuery("prison", search_type="websearch", config="english")
    queryset = (
        Finding.objects.alias(document=SearchVector("text", config="english"))
        .filter(document=query)
        .order_by()  # the default ordering joins revisions and outlooks: not what is asked here
    )
    with connection.cursor() as cursor:
        # With a handful of rows the planner prefers reading every row, by a scan of the
        # table or of its primary key (it did so after other tests had run): forbid both,
        # so that the plan shows whether the full-text condition can use the GIN index.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        plan = queryset.explain()
    assert "assessments_finding_search" in plan
