"""The suggestion workflow through the services: drafts, double submit, numbering, the duty
record, co-signers and the motion threshold, review, merge, presidium decision, attachments."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from renda.core.errors import IllegalTransition, InvalidInput, NotFound, NotPermitted
from renda.core.models import AuditEvent, User
from renda.deputies.models import Mandate
from renda.duties.models import DutyRecord, RecordSource, RecordStatus
from renda.suggestions import selectors, services
from renda.suggestions.models import (
    CoSigner,
    CoSignerStatus,
    Suggestion,
    SuggestionKind,
    SuggestionStatus,
    SuggestionToken,
)
from tests.suggestions.conftest import COUNTY, TOWNSHIP, data, image_upload, pdf_upload, peers

pytestmark = pytest.mark.django_db


def test_draft_then_submit_numbers_it_and_writes_the_duty_record(
    county_mandate: Mandate, deputy: User, django_capture_on_commit_callbacks: Any
) -> None:
    draft = services.save(
        actor=deputy,
        mandate=county_mandate,
        data=data(county_mandate.term.congress_id),
        submission_key="k1",
    )
    assert draft.status == SuggestionStatus.DRAFT
    assert draft.number is None
    assert "护栏" in draft.tokens.split()
    assert not SuggestionToken.objects.filter(suggestion=draft).exists()
    # Saving again with the same form key updates the same draft.
    again = services.save(
        actor=deputy,
        mandate=county_mandate,
        submission_key="k1",
        data=data(county_mandate.term.congress_id, title="关于农村公路护栏的建议"),
    )
    assert again.pk == draft.pk
    assert Suggestion.objects.filter(mandate=county_mandate).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        submitted = services.submit(actor=deputy, suggestion=again)
    assert submitted.status == SuggestionStatus.SUBMITTED
    assert submitted.number == 1
    assert "建议第 1 号" in submitted.number_label
    record = DutyRecord.objects.get(source_type=services.SOURCE_TYPE, source_id=str(draft.pk))
    assert record.status == RecordStatus.CONFIRMED
    assert record.source == RecordSource.MODULE
    assert record.kind == "suggestion"
    assert SuggestionToken.objects.filter(suggestion=draft).exists()
    assert [e.action for e in submitted.events.all()] == ["create", "submit"]
    assert AuditEvent.objects.filter(
        object_type="suggestions.suggestion", object_id=str(draft.pk), action="transition"
    ).exists()


def test_double_submit_gives_one_suggestion_and_one_number(
    county_mandate: Mandate, deputy: User
) -> None:
    congress_id = county_mandate.term.congress_id
    first = services.save(
        actor=deputy,
        mandate=county_mandate,
        data=data(congress_id),
        submission_key="dbl",
        submit=True,
    )
    second = services.save(
        actor=deputy,
        mandate=county_mandate,
        data=data(congress_id),
        submission_key="dbl",
        submit=True,
    )
    assert first.pk == second.pk
    assert services.submit(actor=deputy, suggestion=first).number == first.number
    assert Suggestion.objects.filter(mandate=county_mandate).count() == 1
    assert DutyRecord.objects.filter(source_type=services.SOURCE_TYPE).count() == 1
    assert first.events.filter(action="submit").count() == 1


def test_numbers_are_sequential_per_congress_session_and_kind(
    county_mandate: Mandate, write: Callable[..., Suggestion]
) -> None:
    a = write(county_mandate)
    b = write(county_mandate, title="关于加快城区停车场建设的建议")
    c = write(county_mandate, title="关于第一次会议期间的建议", session=1)
    assert (a.number, b.number, c.number) == (1, 2, 1)


def test_submit_needs_content_and_category(county_mandate: Mandate, deputy: User) -> None:
    with pytest.raises(InvalidInput) as caught:
        services.save(
            actor=deputy,
            mandate=county_mandate,
            submit=True,
            data=data(county_mandate.term.congress_id, content="", category_id=None),
        )
    assert set(caught.value.field_errors) == {"content", "category"}
    assert not Suggestion.objects.filter(mandate=county_mandate).exists()


def test_a_deputy_cannot_write_for_another_deputy(county_mandate: Mandate) -> None:
    other = peers(COUNTY, exclude=county_mandate)[0]
    with pytest.raises(NotPermitted):
        services.save(
            actor=other.person.user,
            mandate=county_mandate,
            data=data(county_mandate.term.congress_id),
        )


def test_station_enters_on_behalf_and_it_is_recorded(
    county_mandate: Mandate, write: Callable[..., Suggestion]
) -> None:
    station = User.objects.get(username="station")
    item = write(county_mandate, by=station)
    assert item.entered_by == station
    assert item.station_id == station.grants.get().organization_id
    assert "代为录入" in item.events.get(action="create").comment


# Attachments ---------------------------------------------------------------------------------


def test_attachments_are_checked_by_content_and_size(
    county_mandate: Mandate, deputy: User, settings: Any
) -> None:
    congress_id = county_mandate.term.congress_id
    fake = SimpleUploadedFile("病毒.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(InvalidInput) as caught:
        services.save(
            actor=deputy, mandate=county_mandate, data=data(congress_id), attachments=[fake]
        )
    assert "PDF" in caught.value.field_errors["attachments"][0]
    big = pdf_upload(size=selectors.ATTACHMENT_BYTES_MAX + 1)
    with pytest.raises(InvalidInput) as caught:
        services.save(
            actor=deputy, mandate=county_mandate, data=data(congress_id), attachments=[big]
        )
    assert "10 MB" in caught.value.field_errors["attachments"][0]
    with pytest.raises(InvalidInput) as caught:
        services.save(
            actor=deputy,
            mandate=county_mandate,
            data=data(congress_id),
            attachments=[pdf_upload(f"{i}.pdf") for i in range(6)],
        )
    assert "最多" in caught.value.field_errors["attachments"][0]
    assert not Suggestion.objects.filter(mandate=county_mandate).exists()
    ok = services.save(
        actor=deputy,
        mandate=county_mandate,
        data=data(congress_id),
        attachments=[image_upload(), pdf_upload()],
    )
    assert sorted(a.content_type for a in ok.attachments.all()) == ["application/pdf", "image/jpeg"]


# Co-signers and the motion threshold ---------------------------------------------------------


def _motion(mandate: Mandate) -> Suggestion:
    return services.save(
        actor=mandate.person.user,
        mandate=mandate,
        data=data(
            mandate.term.congress_id,
            kind=SuggestionKind.MOTION,
            title="关于制定农村公路养护条例的议案",
        ),
    )


@pytest.mark.parametrize(("region", "needed"), [(COUNTY, 10), (TOWNSHIP, 5)])
def test_motion_needs_enough_confirmed_cosigners(region: str, needed: int) -> None:
    deputies = peers(region)
    lead, others = deputies[0], deputies[1:needed]
    assert len(others) == needed - 1
    motion = _motion(lead)
    services.invite_cosigners(actor=lead.person.user, suggestion=motion, mandates=others)
    for m in others[:-1]:
        services.confirm(actor=m.person.user, suggestion=motion)
    with pytest.raises(InvalidInput) as caught:
        services.submit(actor=lead.person.user, suggestion=motion)
    assert f"{needed} 名以上" in caught.value.message
    assert "还差 1 名" in caught.value.message
    services.confirm(actor=others[-1].person.user, suggestion=motion)
    assert (
        services.submit(actor=lead.person.user, suggestion=motion).status
        == SuggestionStatus.SUBMITTED
    )


def test_only_the_invitee_confirms_and_only_same_congress_deputies_are_invited(
    county_mandate: Mandate, deputy: User
) -> None:
    item = services.save(
        actor=deputy, mandate=county_mandate, data=data(county_mandate.term.congress_id)
    )
    invitee, bystander = peers(COUNTY, exclude=county_mandate)[:2]
    outsider = peers("430405000000")[0]
    with pytest.raises(InvalidInput) as caught:
        services.invite_cosigners(actor=deputy, suggestion=item, mandates=[outsider])
    assert "不是本级人大的在任代表" in caught.value.field_errors["mandates"][0]
    assert services.invite_cosigners(actor=deputy, suggestion=item, mandates=[invitee]) == 1
    with pytest.raises(NotPermitted):
        services.confirm(actor=bystander.person.user, suggestion=item)
    with pytest.raises(NotPermitted):
        services.confirm(actor=deputy, suggestion=item)
    row = services.decline(actor=invitee.person.user, suggestion=item)
    assert row.status == CoSignerStatus.DECLINED
    row = services.confirm(actor=invitee.person.user, suggestion=item)
    assert row.status == CoSignerStatus.CONFIRMED
    assert row.confirmed_at is not None


def test_a_deputy_joins_a_lodged_suggestion(
    county_mandate: Mandate, write: Callable[..., Suggestion]
) -> None:
    item = write(county_mandate)
    other = peers(COUNTY, exclude=county_mandate)[0]
    row = services.join(actor=other.person.user, suggestion=item)
    assert row.status == CoSignerStatus.CONFIRMED
    assert services.join(actor=other.person.user, suggestion=item).pk == row.pk
    outsider = peers("430405000000")[0]
    with pytest.raises(NotPermitted):
        services.join(actor=outsider.person.user, suggestion=item)


# The office ---------------------------------------------------------------------------------


def test_return_with_reason_then_resubmit_keeps_the_number(
    county_mandate: Mandate, deputy: User, write: Callable[..., Suggestion]
) -> None:
    office = User.objects.get(username="county_office")
    item = write(county_mandate)
    with pytest.raises(InvalidInput):
        services.review(actor=office, suggestion=item, decision="return")
    returned = services.review(
        actor=office, suggestion=item, decision="return", reason="请补充具体路段。"
    )
    assert returned.status == SuggestionStatus.RETURNED
    assert returned.return_reason == "请补充具体路段。"
    assert not SuggestionToken.objects.filter(suggestion=item).exists()
    edited = services.save(
        actor=deputy,
        mandate=county_mandate,
        suggestion=returned,
        submit=True,
        data=data(county_mandate.term.congress_id, content="补充:西渡镇梅花村路段。"),
    )
    assert edited.status == SuggestionStatus.SUBMITTED
    assert edited.number == item.number
    assert edited.return_reason == ""
    assert DutyRecord.objects.filter(source_type=services.SOURCE_TYPE).count() == 1
    accepted = services.review(actor=office, suggestion=edited, decision="accept")
    assert accepted.status == SuggestionStatus.ACCEPTED
    with pytest.raises(IllegalTransition):
        services.review(actor=office, suggestion=accepted, decision="return", reason="x")
    with pytest.raises(IllegalTransition):
        services.save(
            actor=deputy,
            mandate=county_mandate,
            suggestion=accepted,
            data=data(county_mandate.term.congress_id),
        )


def test_review_is_the_office_of_the_region(
    county_mandate: Mandate, deputy: User, write: Callable[..., Suggestion]
) -> None:
    item = write(county_mandate)
    with pytest.raises(NotPermitted):
        services.review(actor=deputy, suggestion=item, decision="accept")
    with pytest.raises(NotFound):
        services.review(
            actor=User.objects.get(username="township_office"), suggestion=item, decision="accept"
        )
    assert (
        services.review(
            actor=User.objects.get(username="office"), suggestion=item, decision="accept"
        ).status
        == SuggestionStatus.ACCEPTED
    )


def test_only_motions_are_converted(
    county_mandate: Mandate, write: Callable[..., Suggestion]
) -> None:
    office = User.objects.get(username="county_office")
    item = write(county_mandate)
    with pytest.raises(InvalidInput):
        services.review(actor=office, suggestion=item, decision="convert")


def test_merge_a_duplicate_makes_its_author_a_cosigner(
    county_mandate: Mandate, write: Callable[..., Suggestion]
) -> None:
    office = User.objects.get(username="county_office")
    kept = write(county_mandate)
    other = peers(COUNTY, exclude=county_mandate)[0]
    duplicate = write(other)
    merged = services.merge(actor=office, suggestion=duplicate, into=kept)
    assert merged.status == SuggestionStatus.MERGED
    assert merged.merged_into_id == kept.pk
    assert CoSigner.objects.get(suggestion=kept, mandate=other).status == CoSignerStatus.CONFIRMED
    with pytest.raises(InvalidInput):
        services.merge(actor=office, suggestion=kept, into=kept)
    with pytest.raises(IllegalTransition):
        services.merge(actor=office, suggestion=merged, into=kept)


def test_presidium_decision_on_a_motion(county_mandate: Mandate) -> None:
    deputies = peers(COUNTY)
    lead, others = deputies[0], deputies[1:10]
    motion = _motion(lead)
    services.invite_cosigners(actor=lead.person.user, suggestion=motion, mandates=others)
    for m in others:
        services.confirm(actor=m.person.user, suggestion=motion)
    services.submit(actor=lead.person.user, suggestion=motion)
    office = User.objects.get(username="county_office")
    with pytest.raises(InvalidInput) as caught:
        services.record_presidium_decision(
            actor=office, suggestion=motion, decision="agenda", decided_on=None
        )
    assert "decided_on" in caught.value.field_errors
    today = timezone.localdate()
    done = services.record_presidium_decision(
        actor=office,
        suggestion=motion,
        decision="suggestion",
        decided_on=today,
        note="内容属于工作建议",
    )
    assert done.status == SuggestionStatus.CONVERTED
    assert done.presidium_decided_on == today
    assert done.events.filter(action="presidium").exists()
    tomorrow = today + datetime.timedelta(days=1)
    with pytest.raises(Exception, match="已经登记"):
        services.record_presidium_decision(
            actor=office,
            suggestion=done,
            decision="agenda",
            decided_on=tomorrow - datetime.timedelta(days=1),
        )


def test_a_draft_cannot_be_submitted_after_the_mandate_ended(
    county_mandate: Mandate, deputy: User
) -> None:
    from renda.deputies.models import MandateStatus

    item = services.save(
        actor=deputy, mandate=county_mandate, data=data(county_mandate.term.congress_id)
    )
    Mandate.objects.filter(pk=county_mandate.pk).update(
        status=MandateStatus.RESIGNED, ended_on=timezone.localdate()
    )
    with pytest.raises(InvalidInput, match="代表资格已终止"):
        services.submit(actor=deputy, suggestion=item)
