"""Fixtures for case handling: the city and county congresses, the demo unit (市住建局) and
other units, and cases made through the assign() service with subject type "tests.item";
background tasks run inline and on-commit notifications are executed."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from renda.cases import services
from renda.cases.models import Case
from renda.core.models import Congress, Organization, OrganizationKind, User

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
CITY = "430400000000"
COUNTY = "430421000000"
OTHER_COUNTY = "430405000000"
SUBJECT = "tests.item"

_ids = itertools.count(1)


@pytest.fixture(autouse=True)
def _tasks(settings: Any) -> None:
    settings.TASKS = IMMEDIATE


@pytest.fixture
def city_congress(db: Any) -> Congress:
    return Congress.objects.get(region_id=CITY)


@pytest.fixture
def unit_org(db: Any) -> Organization:
    """The demo unit account's organization: 衡阳市住房和城乡建设局."""
    org = User.objects.get(username="unit").grants.get().organization
    assert org is not None
    return org


def city_unit(name: str) -> Organization:
    return Organization.objects.get(region_id=CITY, name=f"衡阳市{name}")


@pytest.fixture
def other_unit(db: Any) -> Organization:
    return city_unit("教育局")


@pytest.fixture
def third_unit(db: Any) -> Organization:
    return city_unit("财政局")


def county_unit(code: str) -> Organization:
    return Organization.objects.filter(
        region_id=code, kind=OrganizationKind.GOVERNMENT_DEPARTMENT
    ).order_by("id").first() or Organization.objects.get(
        region_id=code, kind=OrganizationKind.GOVERNMENT
    )


def unit_user(org: Organization, username: str) -> User:
    """An account acting for ``org`` (Role.UNIT grant), with a mobile phone for SMS."""
    from renda.core import services as core_services
    from renda.core.models import Person, Role

    user = User.objects.filter(username=username).first()
    if user is not None:
        return user
    person = Person.objects.create(
        name=f"{org.short_name or org.name}经办人", region_id=org.region_id, phone="13800000001"
    )
    user = User.objects.create(username=username, person=person)
    core_services.grant_role(
        actor=None, user=user, role=Role.UNIT, region=org.region, organization=org
    )
    return user


@pytest.fixture
def make_case(
    db: Any,
    city_congress: Congress,
    unit_org: Organization,
    django_capture_on_commit_callbacks: Any,
) -> Callable[..., Case]:
    def make(
        *,
        congress: Congress | None = None,
        lead: Organization | None = None,
        co: Sequence[Organization] = (),
        author: str | None = "deputy",
        by: str = "office",
        title: str = "关于老旧小区加装电梯的建议",
        **extra: Any,
    ) -> Case:
        with django_capture_on_commit_callbacks(execute=True):
            return services.assign(
                actor=User.objects.get(username=by),
                subject_type=SUBJECT,
                subject_id=str(next(_ids)),
                title=title,
                congress=congress or city_congress,
                author=User.objects.get(username=author) if author else None,
                lead_unit=lead or unit_org,
                co_units=co,
                **extra,
            )

    return make


@pytest.fixture
def signed_suggestion(
    db: Any, unit_org: Organization, django_capture_on_commit_callbacks: Any
) -> Callable[[], tuple[Any, Case]]:
    """A city suggestion of the demo deputy, reviewed, assigned to the demo unit and signed
    for: (the suggestion, its case)."""
    import uuid

    from renda.deputies.models import Mandate
    from renda.suggestions import selectors as suggestion_selectors
    from renda.suggestions import services as suggestion_services
    from renda.suggestions.models import SuggestionKind

    def make() -> tuple[Any, Case]:
        office = User.objects.get(username="office")
        mandate = Mandate.objects.get(person__user__username="deputy", region_id="430400000000")
        category = suggestion_selectors.categories(mandate.term.congress).first()
        assert category is not None
        with django_capture_on_commit_callbacks(execute=True):
            item = suggestion_services.save(
                actor=User.objects.get(username="deputy"),
                mandate=mandate,
                submission_key=uuid.uuid4().hex,
                submit=True,
                data=suggestion_services.SuggestionInput(
                    kind=SuggestionKind.SUGGESTION,
                    title="关于增设公交站台的建议",
                    content="建议在人民路增设公交站台。",
                    category_id=category.pk,
                    session=0,
                ),
            )
            suggestion_services.review(actor=office, suggestion=item, decision="accept")
            case = suggestion_services.assign(actor=office, suggestion=item, lead_unit=unit_org)
        services.sign(actor=User.objects.get(username="unit"), case=case)
        return item, Case.objects.get(pk=case.pk)

    return make
