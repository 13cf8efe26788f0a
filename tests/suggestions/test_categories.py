"""Suggestion categories: a new congress gets the default list when it is created (the congress
listener), and showing the form never writes."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from renda.core import services as core_services
from renda.core.models import Region, RegionLevel
from renda.suggestions import selectors
from renda.suggestions.models import DEFAULT_CATEGORIES, SuggestionCategory

pytestmark = pytest.mark.django_db


def test_a_new_congress_gets_the_default_categories() -> None:
    parent = Region.objects.get(code="430421000000")
    region = Region.objects.create(
        code="430421999000", name="测试镇", level=RegionLevel.TOWNSHIP, parent=parent
    )
    congress = core_services.create_congress(actor=None, region=region)
    names = list(selectors.categories(congress).values_list("name", flat=True))
    assert names == list(DEFAULT_CATEGORIES)


def test_reading_the_categories_writes_nothing(login: Any) -> None:
    # A congress without categories (as one created before the listener existed): the old
    # form wrote the defaults on this GET.
    SuggestionCategory.objects.all().delete()
    client = login("deputy")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/suggestions/new/")
    assert response.status_code == 200
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
        and "django_session" not in q["sql"]
    ]
    assert writes == []
    assert not SuggestionCategory.objects.exists()
