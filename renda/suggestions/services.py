"""Writes for suggestions and motions: drafts, co-signers, submission, the office's review,
merging duplicates, the presidium's decision on motions, and assignment to units (which hands
the handling to renda.cases).

Every state change goes through the suggestion workflow (renda.suggestions.workflows):
``workflow.move`` locks the row, checks the state, the table and the policy, writes the new
state, one event on the timeline and one audit event; ``workflow.note`` writes the timeline
entry of a step that keeps the status; ``workflow.opened`` the first one of a new draft. The
reads the steps rely on (the motion threshold, who may join, the units) are selectors.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from renda.cases import services as case_services
from renda.cases.models import Case
from renda.core import audit, policies, uploads
from renda.core.dates import local_date
from renda.core.errors import Conflict, IllegalTransition, InvalidInput, NotFound, NotPermitted
from renda.core.models import AuditAction, Congress, Organization, Role, User
from renda.core.policies import Action
from renda.deputies import selectors as deputy_selectors
from renda.deputies.models import Mandate
from renda.suggestions import kinds as notification_kinds
from renda.suggestions import selectors, similarity
from renda.suggestions.models import (
    BETWEEN_SESSIONS,
    DEFAULT_CATEGORIES,
    EDITABLE_STATUSES,
    LODGED_STATUSES,
    CoSigner,
    CoSignerStatus,
    PresidiumDecision,
    Suggestion,
    SuggestionAttachment,
    SuggestionCategory,
    SuggestionKind,
    SuggestionStatus,
    SuggestionToken,
)
from renda.suggestions.policies import REVIEW
from renda.suggestions.policies import suggestions as policy
from renda.suggestions.workflows import workflow

SOURCE_TYPE = "suggestions.suggestion"
TITLE_MAX = 200
CONTENT_MAX = 20000
COMMENT_MAX = 1000
SESSION_MAX = 30


# Categories ------------------------------------------------------------------------------------


@transaction.atomic
def create_default_categories(*, congress_ids: Iterable[int]) -> None:
    """Give congresses that have no categories yet the default list (a congress listener:
    called when congresses are created, inside that transaction; idempotent)."""
    ids = sorted(set(congress_ids))
    having = set(
        SuggestionCategory.objects.filter(congress_id__in=ids).values_list("congress_id", flat=True)
    )
    SuggestionCategory.objects.bulk_create(
        [
            SuggestionCategory(congress_id=pk, name=name, position=i)
            for pk in ids
            if pk not in having
            for i, name in enumerate(DEFAULT_CATEGORIES, start=1)
        ],
        ignore_conflicts=True,
    )


def _save_attachments(suggestion: Suggestion, files: Sequence[UploadedFile]) -> None:
    for upload in files:
        # Photos re-encoded, PDFs checked for scripts and embedded files (check_attachments).
        clean = uploads.inspect(upload, selectors.ATTACHMENT_TYPES)
        assert clean is not None
        item = SuggestionAttachment(
            suggestion=suggestion,
            content_type=clean.content_type,
            size=clean.size,
            name=(upload.name or "")[:200],
        )
        item.file.save(f"file.{clean.extension}", clean.content, save=False)
        item.save()


# Drafts and submission ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SuggestionInput:
    kind: str
    title: str
    content: str
    category_id: int | None
    session: int = BETWEEN_SESSIONS
    delegation_id: int | None = None


def _validate(data: SuggestionInput, mandate: Mandate) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if data.kind not in SuggestionKind.values:
        errors["kind"] = [_("请选择建议或议案。")]
    if not data.title.strip():
        errors["title"] = [_("请填写标题。")]
    elif len(data.title.strip()) > TITLE_MAX:
        errors["title"] = [_("标题不能超过 %(n)d 个字。") % {"n": TITLE_MAX}]
    if len(data.content) > CONTENT_MAX:
        errors["content"] = [_("内容不能超过 %(n)d 个字。") % {"n": CONTENT_MAX}]
    if not 0 <= data.session <= SESSION_MAX:
        errors["session"] = [_("请选择第几次会议或闭会期间。")]
    congress_id = mandate.term.congress_id
    if (
        data.category_id is not None
        and not SuggestionCategory.objects.filter(
            pk=data.category_id, congress_id=congress_id, is_active=True
        ).exists()
    ):
        errors["category"] = [_("请从列表中选择分类。")]
    if data.delegation_id is not None:
        if data.kind != SuggestionKind.MOTION:
            errors["delegation"] = [_("只有议案可以以代表团名义提出。")]
        elif mandate.delegation_id != data.delegation_id:
            errors["delegation"] = [_("只能以本人所在代表团的名义提出议案。")]
    return errors


def _required_on_submit_input(data: SuggestionInput) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not data.content.strip():
        errors["content"] = [_("请填写内容:反映的问题、原因分析和具体建议。")]
    if data.category_id is None:
        errors["category"] = [_("请选择分类。")]
    return errors


def _required_on_submit(item: Suggestion) -> dict[str, list[str]]:
    return _required_on_submit_input(
        SuggestionInput(
            kind=item.kind, title=item.title, content=item.content, category_id=item.category_id
        )
    )


def _index_tokens(item: Suggestion) -> None:
    """Keep the token set of title and content on the row (saved with it)."""
    item.tokens = similarity.token_text(similarity.tokenize(f"{item.title}\n{item.content}"))


def _sync_tokens(item: Suggestion) -> None:
    """Only lodged suggestions are found by the similarity search: they have prefilter rows."""
    SuggestionToken.objects.filter(suggestion=item).delete()
    if item.status in LODGED_STATUSES:
        SuggestionToken.objects.bulk_create(
            [
                SuggestionToken(suggestion=item, congress_id=item.congress_id, token=t)
                for t in item.tokens.split()
            ],
            ignore_conflicts=True,
        )


def save(
    *,
    actor: User,
    mandate: Mandate,
    data: SuggestionInput,
    attachments: Sequence[UploadedFile] = (),
    submission_key: str = "",
    suggestion: Suggestion | None = None,
    submit: bool = False,
) -> Suggestion:
    """Create or update a draft (and, with ``submit``, submit it). The form's one-time key
    makes a repeated click find the same suggestion: saving again updates the draft, and a
    second submit returns the suggestion the first one submitted."""
    key = submission_key[:36]
    if suggestion is None and key:
        suggestion = Suggestion.objects.filter(mandate=mandate, submission_key=key).first()
        if suggestion is not None and not suggestion.is_editable:
            if submit:
                return suggestion
            raise IllegalTransition(state=suggestion.get_status_display(), action=_("保存草稿"))
    try:
        saved = _save(
            actor=actor,
            mandate=mandate,
            data=data,
            attachments=attachments,
            key=key,
            suggestion=suggestion,
            submit=submit,
        )
    except IntegrityError:
        # The other click of a double submit committed first.
        earlier = (
            Suggestion.objects.filter(mandate=mandate, submission_key=key).first() if key else None
        )
        if earlier is None:
            raise
        return earlier
    if not submit:
        return saved
    # Submitted in its own transaction: a motion still short of co-signers stays saved as a
    # draft, so the deputy can invite them and submit later.
    return _submit_saved(actor=actor, suggestion=saved)


@transaction.atomic
def _save(
    *,
    actor: User,
    mandate: Mandate,
    data: SuggestionInput,
    attachments: Sequence[UploadedFile],
    key: str,
    suggestion: Suggestion | None,
    submit: bool,
) -> Suggestion:
    if deputy_selectors.entry_mandate(actor, policy=policy, pk=mandate.pk) is None:
        raise NotPermitted(_("您不能为这位代表提出议案建议。"))
    mandate = Mandate.objects.select_related("term__congress__region").get(pk=mandate.pk)
    existing = 0
    if suggestion is not None:
        suggestion = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
        policy.check(actor, suggestion, Action.CHANGE)
        if suggestion.mandate_id != mandate.pk:
            raise InvalidInput(_("不能更换领衔代表。"))
        if not suggestion.is_editable:
            raise IllegalTransition(state=suggestion.get_status_display(), action=_("修改"))
        existing = suggestion.attachments.count()
    errors = _validate(data, mandate)
    if submit:
        # What the form can fix is checked before anything is written.
        errors = {**_required_on_submit_input(data), **errors}
    problems = selectors.check_attachments(attachments, existing)
    if problems:
        errors["attachments"] = problems
    if errors:
        raise InvalidInput(field_errors=errors)
    fields = {
        "kind": data.kind,
        "title": data.title.strip(),
        "content": data.content.strip(),
        "category_id": data.category_id,
        "session": data.session,
        "delegation_id": data.delegation_id if data.kind == SuggestionKind.MOTION else None,
    }
    if suggestion is None:
        own = mandate.person_id is not None and mandate.person_id == actor.person_id
        station = None
        if not own:
            station = (
                mandate.stations.filter(pk__in=policies.organization_ids(actor, Role.STATION))
                .order_by("id")
                .first()
            )
        suggestion = Suggestion(
            congress=mandate.term.congress,
            term=mandate.term,
            region_id=mandate.region_id,
            mandate=mandate,
            entered_by=actor,
            station=station,
            submission_key=key,
            **fields,
        )
        _index_tokens(suggestion)
        suggestion.save()
        comment = "" if own else _("由 %(who)s 代为录入") % {"who": actor.display_name}
        workflow.opened(suggestion, actor=actor, action="create", comment=comment[:COMMENT_MAX])
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=suggestion,
            after=audit.snapshot(suggestion, ["kind", "title", "session", "status"]),
            message=comment,
        )
    else:
        before = audit.snapshot(suggestion, list(fields))
        for name, value in fields.items():
            setattr(suggestion, name, value)
        _index_tokens(suggestion)
        suggestion.save()
        old, new = audit.diff(before, audit.snapshot(suggestion, list(fields)))
        if new:
            audit.record(
                actor=actor, action=AuditAction.UPDATE, obj=suggestion, before=old, after=new
            )
    _save_attachments(suggestion, attachments)
    return suggestion


def submit(*, actor: User, suggestion: Suggestion) -> Suggestion:
    """Submit a draft or a returned suggestion. Submitting one already submitted changes
    nothing (a second click, a retried API call)."""
    return _submit_saved(actor=actor, suggestion=suggestion)


@transaction.atomic
def _submit_saved(*, actor: User, suggestion: Suggestion) -> Suggestion:
    item = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    policy.check(actor, item, Action.CHANGE)
    if item.status not in EDITABLE_STATUSES and item.submitted_at is not None:
        return item
    return _submit(actor=actor, item=item)


class SignersMissing(InvalidInput):
    """A motion is short of confirmed co-signers; it stays saved as a draft."""

    def __init__(self, suggestion: Suggestion, message: Any, **params: Any) -> None:
        super().__init__(message, **params)
        self.suggestion = suggestion


def _submit(*, actor: User, item: Suggestion) -> Suggestion:
    """Submit a locked draft whose policy the caller checked: numbered on first submission."""
    workflow.require(item, "submit")
    if not item.mandate.is_serving:
        raise InvalidInput(
            _("%(name)s 的代表资格已终止,不能再提出议案建议。"), name=item.mandate.person.name
        )
    errors = _required_on_submit(item)
    if errors:
        raise InvalidInput(field_errors=errors)
    missing = selectors.missing_signers(item)
    if missing:
        needed = selectors.motion_signers_needed(item.congress)
        raise SignersMissing(
            item,
            _(
                "议案须由代表团或 %(needed)d 名以上代表联名提出。目前已确认 %(have)d 名(含领衔代表),"
                "还差 %(missing)d 名代表确认附议。也可以作为建议提出。"
            ),
            needed=needed,
            have=needed - missing,
            missing=missing,
        )
    first = item.submitted_at is None
    if item.number is None:
        # Numbering is serialised per congress by locking its row.
        Congress.objects.select_for_update().filter(pk=item.congress_id).first()
        last = Suggestion.objects.filter(
            congress_id=item.congress_id,
            term_id=item.term_id,
            session=item.session,
            kind=item.kind,
        ).aggregate(n=Max("number"))["n"]
        item.number = (last or 0) + 1
    item.submitted_at = timezone.now()
    item.return_reason = ""
    workflow.move(
        item,
        actor=actor,
        action="submit",
        fields=["number", "submitted_at", "return_reason"],
        audit_after={"number": item.number},
        check_policy=False,
    )
    _sync_tokens(item)
    if first:
        from renda.duties import services as duties_services

        duties_services.record_from_module(
            mandate=item.mandate,
            kind="suggestion",
            title=item.title,
            occurred_on=local_date(item.submitted_at),
            source_type=SOURCE_TYPE,
            source_id=str(item.pk),
        )
    _notify_office(item)
    return item


def _notify_office(item: Suggestion) -> None:
    users = selectors.office_users(item)
    if users:
        from renda.notifications import services as notifications

        notifications.notify(
            recipients=users,
            kind=notification_kinds.REVIEW.code,
            title=_("待审查的%(kind)s:%(title)s")
            % {"kind": item.get_kind_display(), "title": item.title},
            body=f"{item.number_label} · {item.mandate.person.name}",
            url=reverse("suggestions:detail", args=[item.pk]),
        )


def _notify_author(item: Suggestion, title: str, body: str) -> None:
    owner = selectors.author_account(item, active_only=True)
    if owner is not None:
        from renda.notifications import services as notifications

        notifications.notify(
            recipients=[owner],
            kind=notification_kinds.REVIEW.code,
            title=title,
            body=body,
            url=reverse("suggestions:detail", args=[item.pk]),
        )


# Co-signers ------------------------------------------------------------------------------------


@transaction.atomic
def invite_cosigners(*, actor: User, suggestion: Suggestion, mandates: Iterable[Mandate]) -> int:
    """Invite serving deputies of the same congress to co-sign; each gets a message."""
    item = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    policy.check(actor, item, Action.CHANGE)
    workflow.require(item, "invite")
    chosen = list(dict.fromkeys(mandates))
    if not chosen:
        raise InvalidInput(field_errors={"mandates": [_("请选择要邀请的代表。")]})
    for mandate in chosen:
        if mandate.pk == item.mandate_id:
            raise InvalidInput(field_errors={"mandates": [_("领衔代表不需要邀请自己附议。")]})
        if not mandate.is_serving or mandate.term.congress_id != item.congress_id:
            raise InvalidInput(
                field_errors={
                    "mandates": [
                        _("%(name)s 不是本级人大的在任代表,不能附议。")
                        % {"name": mandate.person.name}
                    ]
                }
            )
    existing = {
        c.mandate_id: c for c in CoSigner.objects.select_for_update().filter(suggestion=item)
    }
    invited: list[Mandate] = []
    for mandate in chosen:
        row = existing.get(mandate.pk)
        if row is None:
            CoSigner.objects.create(suggestion=item, mandate=mandate, invited_by=actor)
        elif row.status == CoSignerStatus.DECLINED:
            row.status = CoSignerStatus.INVITED
            row.save(update_fields=["status"])
        else:
            continue
        invited.append(mandate)
    if invited:
        names = "、".join(m.person.name for m in invited)
        workflow.note(
            item,
            actor=actor,
            action="invite",
            comment=(_("邀请附议:%(names)s") % {"names": names})[:COMMENT_MAX],
            audit_after={"invited": [m.pk for m in invited]},
        )
        users = list(
            User.objects.filter(person__mandates__in=invited, is_active=True)
            .values_list("pk", flat=True)
            .distinct()
        )
        if users:
            from renda.notifications import services as notifications

            notifications.notify(
                recipients=users,
                kind=notification_kinds.COSIGN.code,
                title=_("附议邀请:%(title)s") % {"title": item.title},
                body=_("%(name)s 邀请您附议这件%(kind)s,请查看后确认或谢绝。")
                % {"name": item.mandate.person.name, "kind": item.get_kind_display()},
                url=reverse("suggestions:cosign", args=[item.pk]),
            )
    return len(invited)


def _own_cosigner(actor: User, item: Suggestion) -> CoSigner:
    row = (
        CoSigner.objects.select_for_update()
        .filter(suggestion=item, mandate__person__user__id=actor.pk)
        .first()
    )
    if row is None:
        raise NotPermitted(_("只有被邀请的代表本人可以确认或谢绝附议。"))
    return row


@transaction.atomic
def respond(*, actor: User, suggestion: Suggestion, accept: bool) -> CoSigner:
    """The invited deputy confirms (or declines) co-signing."""
    item = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    row = _own_cosigner(actor, item)
    action = "confirm" if accept else "decline"
    workflow.require(item, action)
    new = CoSignerStatus.CONFIRMED if accept else CoSignerStatus.DECLINED
    if row.status == new:
        return row
    row.status = new
    row.confirmed_at = timezone.now() if accept else None
    row.save(update_fields=["status", "confirmed_at"])
    workflow.note(
        item,
        actor=actor,
        action=action,
        comment=(_("%(name)s 确认附议") if accept else _("%(name)s 谢绝附议"))
        % {"name": row.mandate.person.name},
        audit_of=row,
        audit_after={"status": new},
    )
    return row


def confirm(*, actor: User, suggestion: Suggestion) -> CoSigner:
    return respond(actor=actor, suggestion=suggestion, accept=True)


def decline(*, actor: User, suggestion: Suggestion) -> CoSigner:
    return respond(actor=actor, suggestion=suggestion, accept=False)


@transaction.atomic
def join(*, actor: User, suggestion: Suggestion) -> CoSigner:
    """A deputy who found a similar earlier suggestion joins it as co-signer instead of
    writing a duplicate."""
    item = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    mandate = selectors.joinable(item, actor)
    if mandate is None:
        raise NotPermitted(_("只有本级人大的在任代表可以附议已提交的议案建议。"))
    row, _created = CoSigner.objects.get_or_create(
        suggestion=item, mandate=mandate, defaults={"invited_by": actor}
    )
    if row.status != CoSignerStatus.CONFIRMED:
        row.status = CoSignerStatus.CONFIRMED
        row.confirmed_at = timezone.now()
        row.save(update_fields=["status", "confirmed_at"])
        workflow.note(
            item,
            actor=actor,
            action="join",
            comment=_("%(name)s 附议") % {"name": mandate.person.name},
            audit_of=row,
            audit_after={"status": row.status, "joined": True},
        )
    return row


# The office -------------------------------------------------------------------------------------


def _lock_for_office(actor: User, suggestion: Suggestion) -> Suggestion:
    item = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    policy.check(actor, item, REVIEW)
    return item


REVIEW_DECISIONS = {
    "accept": SuggestionStatus.ACCEPTED,
    "return": SuggestionStatus.RETURNED,
    "convert": SuggestionStatus.CONVERTED,
}


@transaction.atomic
def review(
    *,
    actor: User,
    suggestion: Suggestion,
    decision: str,
    reason: str = "",
    category_id: int | None = None,
) -> Suggestion:
    """The office accepts (立案), returns for revision with a reason, or treats a motion as a
    suggestion; it may correct the category at the same time."""
    item = _lock_for_office(actor, suggestion)
    to = REVIEW_DECISIONS.get(decision)
    if to is None:
        raise InvalidInput(field_errors={"decision": [_("请选择立案、退回修改或转为建议。")]})
    if to == SuggestionStatus.RETURNED and not reason.strip():
        raise InvalidInput(field_errors={"reason": [_("退回时请写明原因,方便代表修改。")]})
    if to == SuggestionStatus.CONVERTED and not item.is_motion:
        raise InvalidInput(field_errors={"decision": [_("只有议案可以转为建议处理。")]})
    if category_id is not None:
        if not SuggestionCategory.objects.filter(
            pk=category_id, congress_id=item.congress_id
        ).exists():
            raise InvalidInput(field_errors={"category": [_("请从列表中选择分类。")]})
        item.category_id = category_id
    # Each decision is its own step, labelled as the form names it (立案、退回修改、转为建议).
    workflow.require(item, decision)
    item.reviewed_by = actor
    item.reviewed_at = timezone.now()
    if to == SuggestionStatus.RETURNED:
        item.return_reason = reason.strip()[:COMMENT_MAX]
    workflow.move(
        item,
        actor=actor,
        action=decision,
        fields=["category", "reviewed_by", "reviewed_at", "return_reason"],
        comment=reason.strip()[:COMMENT_MAX],
        check_policy=False,
    )
    _sync_tokens(item)
    _notify_author(
        item,
        _("您的%(kind)s“%(title)s”:%(status)s")
        % {
            "kind": item.get_kind_display(),
            "title": item.title,
            "status": item.get_status_display(),
        },
        reason.strip() or item.number_label,
    )
    return item


@transaction.atomic
def merge(
    *, actor: User, suggestion: Suggestion, into: Suggestion, comment: str = ""
) -> Suggestion:
    """Merge a duplicate into another suggestion of the same congress: its lead author
    becomes a co-signer of the one kept."""
    item = _lock_for_office(actor, suggestion)
    target = Suggestion.objects.select_for_update().filter(pk=into.pk).first()
    if target is None or target.pk == item.pk or target.congress_id != item.congress_id:
        raise InvalidInput(field_errors={"into": [_("请选择同一级人大的另一件议案建议。")]})
    policy.check(actor, target, REVIEW)
    if target.status not in LODGED_STATUSES:
        raise InvalidInput(field_errors={"into": [_("只能并入已提交的议案建议。")]})
    workflow.require(item, "merge")
    item.merged_into = target
    text = comment.strip() or _("并入 %(label)s“%(title)s”") % {
        "label": target.number_label,
        "title": target.title,
    }
    workflow.move(
        item,
        actor=actor,
        action="merge",
        fields=["merged_into"],
        comment=text[:COMMENT_MAX],
        check_policy=False,
    )
    _sync_tokens(item)
    if item.mandate_id != target.mandate_id:
        row, _created = CoSigner.objects.get_or_create(
            suggestion=target, mandate_id=item.mandate_id, defaults={"invited_by": actor}
        )
        row.status = CoSignerStatus.CONFIRMED
        row.confirmed_at = row.confirmed_at or timezone.now()
        row.save(update_fields=["status", "confirmed_at"])
    workflow.note(
        target,
        actor=actor,
        action="absorb",
        comment=_("并入 %(label)s“%(title)s”") % {"label": item.number_label, "title": item.title},
        audit_after={"absorbed": item.pk},
    )
    _notify_author(
        item,
        _("您的%(kind)s已并案办理:%(title)s")
        % {"kind": item.get_kind_display(), "title": item.title},
        _("并入“%(title)s”,您已列为附议代表。") % {"title": target.title},
    )
    return item


@transaction.atomic
def record_presidium_decision(
    *,
    actor: User,
    suggestion: Suggestion,
    decision: str,
    decided_on: datetime.date | None,
    note: str = "",
) -> Suggestion:
    """The presidium's decision on a motion: on the agenda, to a committee, or treated as a
    suggestion (which converts it)."""
    item = _lock_for_office(actor, suggestion)
    errors: dict[str, list[str]] = {}
    if not item.is_motion:
        raise InvalidInput(_("只有议案需要主席团决定。"))
    if decision not in PresidiumDecision.values:
        errors["decision"] = [_("请选择主席团的决定。")]
    if decided_on is None:
        errors["decided_on"] = [_("请填写决定日期。")]
    elif decided_on > local_date():
        errors["decided_on"] = [_("决定日期不能晚于今天。")]
    if errors:
        raise InvalidInput(field_errors=errors)
    if item.presidium_decision:
        raise Conflict(_("主席团的决定已经登记过了。"))
    workflow.require(item, "presidium")
    label = str(PresidiumDecision(decision).label)
    to = (
        SuggestionStatus.CONVERTED
        if decision == PresidiumDecision.SUGGESTION
        else SuggestionStatus.ACCEPTED
    )
    note = note.strip()[:COMMENT_MAX]
    text = f"{label} {note}".strip()
    decided = ["presidium_decision", "presidium_decided_on", "presidium_note"]
    if item.status == to:
        # A motion the office already accepted goes on the agenda or to a committee: the
        # decision is recorded and the status stays.
        workflow.require(item, "presidium_record")
        item.presidium_decision, item.presidium_decided_on = decision, decided_on
        item.presidium_note = note
        item.save(update_fields=[*decided, "updated_at"])
        workflow.note(
            item,
            actor=actor,
            action="presidium_record",
            comment=text,
            audit_after={"presidium_decision": decision},
        )
    else:
        # It converts the motion, or accepts a submitted one. The step is taken while the
        # decision is still open (its guard), then the decision is written.
        item.reviewed_by = item.reviewed_by or actor
        item.reviewed_at = item.reviewed_at or timezone.now()
        workflow.move(
            item,
            actor=actor,
            action="presidium",
            to=to,
            fields=["reviewed_by", "reviewed_at"],
            comment=text,
            check_policy=False,
        )
        item.presidium_decision, item.presidium_decided_on = decision, decided_on
        item.presidium_note = note
        item.save(update_fields=[*decided, "updated_at"])
    _notify_author(
        item,
        _("主席团对议案“%(title)s”的决定:%(d)s") % {"title": item.title, "d": label},
        item.presidium_note,
    )
    return item


@transaction.atomic
def assign(
    *,
    actor: User,
    suggestion: Suggestion,
    lead_unit: Organization,
    co_units: Sequence[Organization] = (),
    is_complex: bool = False,
    is_key: bool = False,
    supervisor: User | None = None,
) -> Case:
    """Assign an accepted suggestion (or a motion treated as one) to a lead unit and co-units;
    from here the case (renda.cases) carries the handling and its deadlines."""
    item = _lock_for_office(actor, suggestion)
    if item.status == SuggestionStatus.ASSIGNED:
        raise Conflict(_("这件议案建议已经交办,请刷新页面查看承办单位。"))
    if not selectors.can_assign(item):
        raise workflow.refuse(item, "assign")
    workflow.require(item, "assign")
    author = selectors.author_account(item)
    case = case_services.assign(
        actor=actor,
        subject_type=SOURCE_TYPE,
        subject_id=str(item.pk),
        title=item.title,
        congress=item.congress,
        author=author,
        lead_unit=lead_unit,
        co_units=co_units,
        is_complex=is_complex,
        is_key=is_key,
        supervisor=supervisor,
    )
    units = "、".join([lead_unit.name, *[u.name for u in co_units]])
    workflow.move(
        item,
        actor=actor,
        action="assign",
        comment=(_("交办:%(units)s") % {"units": units})[:COMMENT_MAX],
        check_policy=False,
    )
    _notify_author(
        item,
        _("您的%(kind)s已交办:%(title)s") % {"kind": item.get_kind_display(), "title": item.title},
        _("主办单位:%(unit)s") % {"unit": lead_unit.name},
    )
    return case


def assign_batch(
    *,
    actor: User,
    suggestions: Sequence[Suggestion],
    lead_unit: Organization,
    co_units: Sequence[Organization] = (),
    is_complex: bool = False,
) -> tuple[list[Case], dict[int, str]]:
    """Assign several suggestions to the same units (批量交办), each in its own transaction:
    one that cannot be assigned (already assigned by a colleague, a unit outside its
    congress) is reported and the others go ahead."""
    cases: list[Case] = []
    failed: dict[int, str] = {}
    for item in suggestions:
        try:
            cases.append(
                assign(
                    actor=actor,
                    suggestion=item,
                    lead_unit=lead_unit,
                    co_units=co_units,
                    is_complex=is_complex,
                )
            )
        except (Conflict, InvalidInput, NotPermitted, NotFound) as exc:
            field_errors = getattr(exc, "field_errors", {}) or {}
            failed[item.pk] = (
                "、".join([m for ms in field_errors.values() for m in ms]) or exc.message
            )
    return cases, failed
