"""The suggestions list's search: a word anywhere in the title (also one that rjieba keeps
inside a longer word), the lead author's name, a query that finds nothing, the policy and the
other filters still applied, and the page's order over the paged ids."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from renda.core.models import User
from renda.deputies.models import Mandate
from renda.suggestions import selectors, similarity
from renda.suggestions.models import Suggestion, SuggestionStatus
from tests.suggestions.conftest import COUNTY, OTHER_COUNTY, peers

pytestmark = pytest.mark.django_db

PARKING = "关于解决老旧小区停车难问题的建议"


def _make(
    mandate: Mandate, title: str, status: str = SuggestionStatus.ASSIGNED, minutes_ago: int = 0
) -> Suggestion:
    item = Suggestion.objects.create(
        congress=mandate.term.congress,
        term=mandate.term,
        region_id=mandate.region_id,
        mandate=mandate,
        title=title,
        content="内容",
        status=status,
    )
    # created_at is set on insert: move it to give the list a known order.
    Suggestion.objects.filter(pk=item.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=minutes_ago)
    )
    return item


def _found(username: str, q: str = "", **filters: Any) -> list[int]:
    user = User.objects.get(username=username)
    return list(
        selectors.suggestions(user, selectors.Filters(q=q, **filters)).values_list("pk", flat=True)
    )


def test_a_word_inside_a_longer_rjieba_word_is_found() -> None:
    # rjieba keeps 停车难 as one word: a search on tokens would miss this title.
    assert "停车" not in similarity.tokenize(PARKING)
    mandate = peers(COUNTY)[0]
    parking = _make(mandate, PARKING)
    roads = _make(mandate, "关于改善农村公路安全设施的建议")
    assert _found("county_office", "停车") == [parking.pk]
    assert _found("county_office", " 停车难 ") == [parking.pk]
    assert _found("county_office", "农村公路") == [roads.pk]
    # A phrase across rjieba's words, as the user sees it in the title.
    assert _found("county_office", "小区停车") == [parking.pk]


def test_the_lead_authors_name_is_searched() -> None:
    first, second = peers(COUNTY)[:2]
    assert first.person.name != second.person.name
    mine = _make(first, "关于农村饮水安全的建议")
    _make(second, "关于农村饮水安全的建议")
    assert _found("county_office", first.person.name) == [mine.pk]
    # Part of the name (the surname or the given name) finds it too.
    assert mine.pk in _found("county_office", first.person.name[1:])


def test_a_query_that_finds_nothing(login: Callable[[str], Client]) -> None:
    _make(peers(COUNTY)[0], PARKING)
    assert _found("county_office", "不存在的标题") == []
    # LIKE wildcards are text, not patterns.
    assert _found("county_office", "%") == []
    assert _found("county_office", "_") == []
    body = (
        login("county_office")
        .get(reverse("suggestions:list"), {"q": "不存在的标题"}, HTTP_HX_REQUEST="true")
        .content.decode()
    )
    assert "没有符合条件的记录。" in body
    assert PARKING not in body


def test_the_policy_and_the_filters_still_apply() -> None:
    county = peers(COUNTY)
    visible = _make(county[0], PARKING)
    draft = _make(county[1], PARKING + "(草稿)", status=SuggestionStatus.DRAFT)
    elsewhere = _make(peers(OTHER_COUNTY)[0], PARKING + "(另一个县)")
    submitted = _make(county[2], PARKING + "(待审查)", status=SuggestionStatus.SUBMITTED)
    # The county office sees its county only, never a deputy's draft.
    assert set(_found("county_office", "停车")) == {visible.pk, submitted.pk}
    assert set(_found("office", "停车")) == {visible.pk, submitted.pk, elsewhere.pk}
    assert _found("office", "停车", status=SuggestionStatus.SUBMITTED) == [submitted.pk]
    assert _found("office", "停车", kind="motion") == []
    # The author finds their own draft by a word of its title (drafts have no token rows).
    author = county[1].person.user
    assert author is not None
    assert _found(author.username, "停车") == [draft.pk]
    # No access at all stays no access, search or not.
    assert _found("unit", "停车") == []


def test_the_page_lists_the_newest_first_across_pages(login: Callable[[str], Client]) -> None:
    mandate = peers(COUNTY)[0]
    items = [_make(mandate, f"关于第{n}号路口停车秩序的建议", minutes_ago=n) for n in range(23)]
    _make(mandate, "关于农村公路的建议")
    client = login("county_office")
    url = reverse("suggestions:list")
    first = client.get(url, {"q": "停车", "status": "assigned"})
    assert [s.pk for s in first.context["items"]] == [s.pk for s in items[:20]]
    assert first.context["page"].paginator.count == 23
    second = client.get(url, {"q": "停车", "status": "assigned", "page": "2"})
    assert [s.pk for s in second.context["items"]] == [s.pk for s in items[20:]]
    body = second.content.decode()
    assert items[22].title in body
    assert items[22].mandate.person.name in body
    # Beyond the last page: the last page, as before.
    beyond = client.get(url, {"q": "停车", "status": "assigned", "page": "9"})
    assert [s.pk for s in beyond.context["items"]] == [s.pk for s in items[20:]]


def test_the_live_filter_renders_results_only(login: Callable[[str], Client]) -> None:
    item = _make(peers(COUNTY)[0], PARKING, status=SuggestionStatus.SUBMITTED)
    client = login("county_office")
    full = client.get(reverse("suggestions:list"), {"q": "停车"})
    assert full.context["review_count"] >= 1
    partial = client.get(reverse("suggestions:list"), {"q": "停车"}, HTTP_HX_REQUEST="true")
    body = partial.content.decode()
    assert item.title in body
    assert "review_count" not in partial.context
    assert "<html" not in body


@pytest.mark.parametrize("head", [100, 5])
def test_a_search_matching_more_than_the_head_still_counts_and_pages(
    login: Callable[[str], Client], monkeypatch: pytest.MonkeyPatch, head: int
) -> None:
    # With 5, the 23 matches overflow the ids read at once: count and later pages by query.
    monkeypatch.setattr(selectors.SearchIds, "HEAD", head)
    mandate = peers(COUNTY)[0]
    items = [_make(mandate, f"关于第{n}号路口停车秩序的建议", minutes_ago=n) for n in range(23)]
    client = login("county_office")
    url = reverse("suggestions:list")
    first = client.get(url, {"q": "停车"})
    assert first.context["page"].paginator.count == 23
    assert [s.pk for s in first.context["items"]] == [s.pk for s in items[:20]]
    second = client.get(url, {"q": "停车", "page": "2"})
    assert [s.pk for s in second.context["items"]] == [s.pk for s in items[20:]]
    ids = selectors.SearchIds(
        selectors.suggestions(
            User.objects.get(username="county_office"), selectors.Filters(q="停车")
        ).values_list("pk", flat=True)
    )
    assert len(ids) == 23
    assert list(ids) == [s.pk for s in items]
    assert ids[22] == items[22].pk


def test_wildcards_in_the_query_are_plain_characters() -> None:
    # PostgreSQL searches with strpos, SQLite with an escaped LIKE: neither may treat % or _
    # as a wildcard.
    mandate = peers(COUNTY)[0]
    half = _make(mandate, "关于降低50%停车费用的建议")
    _make(mandate, "关于为500户居民增设停车位的建议")
    under = _make(mandate, "关于A_B两区共享停车的建议")
    _make(mandate, "关于AXB两区共享停车的建议")
    assert _found("county_office", "50%") == [half.pk]
    assert _found("county_office", "A_B") == [under.pk]
    assert len(_found("county_office", "停车")) == 4


def test_one_character_and_pairs_that_are_not_the_word() -> None:
    mandate = peers(COUNTY)[0]
    parking = _make(mandate, PARKING)
    # Every pair of 停车场 (停车, 车场) is in this title, but not the word itself.
    lot = _make(mandate, "关于停车难问题和公交车场站的建议")
    assert _found("county_office", "车") == sorted([parking.pk, lot.pk], reverse=True)
    assert _found("county_office", "停车场") == []
    assert _found("county_office", "车场") == [lot.pk]
    # A title changed later is found by its new words, not its old ones.
    Suggestion.objects.filter(pk=lot.pk).update(title="关于新建停车场的建议")
    assert _found("county_office", "停车场") == [lot.pk]
    assert _found("county_office", "公交") == []


def test_postgresql_answers_the_search_from_the_title_grams_index() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the character-pairs index is PostgreSQL's (migration 0007)")
    _make(peers(COUNTY)[0], PARKING)
    qs = Suggestion.objects.filter(selectors.title_contains("停车")).values("pk")
    with connection.cursor() as cursor:
        # A handful of test rows, which the planner would rightly read one by one: leave it
        # no way but an index that answers the condition itself (bitmap scans only).
        for kind in ("seqscan", "indexscan", "indexonlyscan"):
            cursor.execute(f"SET LOCAL enable_{kind} = off")
        sql, params = qs.query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "suggestion_title_grams_idx" in plan, plan
