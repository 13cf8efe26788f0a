"""Similar earlier suggestions: rjieba tokens, the rare-token prefilter and Jaccard ranking."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from renda.deputies.models import Mandate
from renda.suggestions import selectors, similarity
from renda.suggestions.models import Suggestion
from tests.suggestions.conftest import COUNTY, peers

pytestmark = pytest.mark.django_db

ROAD = (
    "关于改善西渡镇农村公路安全设施的建议",
    "西渡镇部分村道弯道多、缺少护栏和警示标志,雨天事故频发。建议交通部门增设护栏、减速带和警示标志。",
)


def test_tokenize_drops_stop_words_single_characters_and_numbers() -> None:
    tokens = similarity.tokenize("关于进一步加强城市道路交通的建议,2026 年 的 路")
    assert "建议" not in tokens
    assert "关于" not in tokens
    assert "的" not in tokens
    assert "路" not in tokens
    assert "2026" not in tokens
    assert "城市道路" in tokens or "城市" in tokens
    assert len(tokens) == len(set(tokens))


def test_a_near_duplicate_ranks_first_and_unrelated_ones_are_not_shown(
    county_mandate: Mandate, write: Callable[..., Suggestion]
) -> None:
    others = peers(COUNTY, exclude=county_mandate)
    near = write(others[0], title=ROAD[0], content=ROAD[1])
    related = write(
        others[1],
        title="关于农村公路增设护栏的建议",
        content="部分农村公路临水临崖路段没有护栏,建议增设护栏和警示标志。",
    )
    unrelated = write(
        others[2],
        title="关于提高乡村教师待遇的建议",
        content="乡村教师工资偏低、住房困难,建议提高乡村教师补贴,改善教师周转房。",
    )
    draft = write(others[3], title=ROAD[0], content=ROAD[1], submit=False)
    found = selectors.similar(
        congress_id=county_mandate.term.congress_id,
        text=f"{ROAD[0]}\n西渡镇村道弯道多,缺少护栏和警示标志,建议增设护栏和减速带。",
    )
    ids = [s.suggestion.pk for s in found]
    assert ids[0] == near.pk
    assert related.pk in ids
    assert unrelated.pk not in ids
    assert draft.pk not in ids  # drafts are nobody else's business
    assert found[0].score > found[-1].score or len(found) == 1
    assert all(s.score >= similarity.THRESHOLD for s in found)


def test_other_congresses_and_the_suggestion_itself_are_excluded(
    county_mandate: Mandate, write: Callable[..., Suggestion]
) -> None:
    item = write(county_mandate, title=ROAD[0], content=ROAD[1])
    text = f"{ROAD[0]}\n{ROAD[1]}"
    assert (
        selectors.similar(congress_id=county_mandate.term.congress_id, text=text, exclude=item.pk)
        == []
    )
    city = Mandate.objects.get(person__user__username="deputy", region_id="430400000000")
    assert selectors.similar(congress_id=city.term.congress_id, text=text) == []


def test_at_most_five_are_returned(
    county_mandate: Mandate, write: Callable[..., Suggestion]
) -> None:
    others = peers(COUNTY, exclude=county_mandate)
    for i in range(7):
        write(others[i], title=ROAD[0], content=ROAD[1] + f"第{i}段")
    found = selectors.similar(congress_id=county_mandate.term.congress_id, text=ROAD[0] + ROAD[1])
    assert len(found) == similarity.TOP


def test_empty_or_meaningless_text_finds_nothing(county_mandate: Mandate) -> None:
    assert selectors.similar(congress_id=county_mandate.term.congress_id, text="") == []
    assert selectors.similar(congress_id=county_mandate.term.congress_id, text="关于 的 建议") == []


def test_prefilter_takes_the_rarest_tokens_within_the_budget() -> None:
    counts = {"护栏": 3, "警示": 40, "公路": 900, "道路": 5000, "西渡": 1}
    tokens = ["道路", "公路", "护栏", "警示", "西渡", "未见"]
    assert similarity.rarest(counts, tokens, n=3, budget=100) == ["西渡", "护栏", "警示"]
    assert similarity.rarest(counts, tokens, n=3, budget=1000) == ["西渡", "护栏", "警示", "公路"]
    assert similarity.rarest(counts, tokens, n=1, budget=0) == ["西渡"]
    assert similarity.rarest({}, tokens) == []
