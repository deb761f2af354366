"""The full-text search uses its GIN index rather than reading every finding."""

import pytest
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection

from assessments.models import Finding

pytestmark = pytest.mark.django_db


def test_finding_search_can_use_the_gin_index(published_sample):
    query = SearchQuery("prison", search_type="websearch", config="english")
    queryset = Finding.objects.alias(document=SearchVector("text", config="english")).filter(
        document=query
    )
    with connection.cursor() as cursor:
        # With a handful of rows the planner prefers a scan; forbid it to see the choice.
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = queryset.explain()
    assert "assessments_finding_search" in plan
