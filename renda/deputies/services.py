"""Writes to the deputies' registry."""

from __future__ import annotations

import datetime
import functools
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from renda.core import audit, crypto
from renda.core.errors import IllegalTransition, InvalidInput, NotPermitted
from renda.core.logging import get_logger
from renda.core.models import (
    AuditAction,
    Organization,
    OrganizationKind,
    Person,
    Role,
    RoleGrant,
    Term,
    User,
)
from renda.core.policies import Action
from renda.core.tasks import enqueue_on_commit
from renda.core.tasks import lease as task_lease
from renda.core.text import pinyin_initials
from renda.deputies import importing
from renda.deputies.models import (
    Constituency,
    Delegation,
    DeputyCategory,
    DeputyGroup,
    DeputyImport,
    ImportMode,
    ImportStatus,
    Mandate,
    MandateEvent,
    MandateStatus,
)
from renda.deputies.policies import imports as import_policy
from renda.deputies.policies import mandates as mandate_policy
from renda.deputies.workflows import ELECT, END_STEPS, IMPORT, MANDATE, UPLOAD

log = get_logger(__name__)


def _check_links(
    *,
    term: Term,
    delegation: Delegation | None,
    group: DeputyGroup | None,
    constituency: Constituency | None,
    stations: Iterable[Organization],
) -> None:
    errors: dict[str, list[str]] = {}
    for field, value in (
        ("delegation", delegation),
        ("group", group),
        ("constituency", constituency),
    ):
        if value is not None and value.congress_id != term.congress_id:
            errors[field] = [_("所选“%(name)s”不属于该人大。") % {"name": value.name}]
    for station in stations:
        if station.kind != OrganizationKind.LIAISON_STATION:
            errors.setdefault("stations", []).append(
                _("“%(name)s”不是代表联络站。") % {"name": station.name}
            )
    if errors:
        raise InvalidInput(field_errors=errors)


@transaction.atomic
def create_mandate(
    *,
    actor: User | None,
    person: Person,
    term: Term,
    elected_on: datetime.date,
    category: str = DeputyCategory.OTHER,
    full_time: bool = False,
    delegation: Delegation | None = None,
    group: DeputyGroup | None = None,
    constituency: Constituency | None = None,
    stations: Iterable[Organization] = (),
) -> Mandate:
    region_code = term.congress.region_id
    if actor is not None and not mandate_policy.can_in_region(actor, Action.CREATE, region_code):
        raise NotPermitted()
    stations = list(stations)
    _check_links(
        term=term, delegation=delegation, group=group, constituency=constituency, stations=stations
    )
    errors: dict[str, list[str]] = {}
    if category not in DeputyCategory.values:
        errors["category"] = [_("代表构成不正确。")]
    if elected_on < term.start_date or (term.end_date is not None and elected_on > term.end_date):
        errors["elected_on"] = [
            _("当选日期必须在本届任期之内(%(start)s 至 %(end)s)。")
            % {"start": term.start_date, "end": term.end_date or "—"}
        ]
    if errors:
        raise InvalidInput(field_errors=errors)
    try:
        with transaction.atomic():
            mandate = Mandate.objects.create(
                person=person,
                term=term,
                region_id=region_code,
                elected_on=elected_on,
                category=category,
                full_time=full_time,
                delegation=delegation,
                group=group,
                constituency=constituency,
            )
    except IntegrityError:
        raise InvalidInput(
            field_errors={
                "person": [_("%(name)s 已是本届代表,不能重复登记。") % {"name": person.name}]
            }
        ) from None
    if stations:
        mandate.stations.set(stations)
    MANDATE.opened(
        mandate, actor=actor, action=ELECT, event={"effective_on": elected_on, "reason": ""}
    )
    audit.record(actor=actor, action=AuditAction.CREATE, obj=mandate, after=audit.snapshot(mandate))
    return mandate


@transaction.atomic
def change_status(
    *,
    actor: User | None,
    mandate: Mandate,
    to_status: str,
    effective_on: datetime.date,
    reason: str,
) -> Mandate:
    """End a serving mandate (MANDATE_TRANSITIONS), recording the change as an event."""
    locked = Mandate.objects.select_for_update().get(pk=mandate.pk)
    if actor is not None:
        mandate_policy.check(actor, locked, Action.CHANGE)
    action = END_STEPS.get(to_status)
    if action is None:
        label = MandateStatus(to_status).label if to_status in MandateStatus.values else to_status
        raise IllegalTransition(state=locked.get_status_display(), action=label)
    # The state first: a stale form on an ended mandate is told why before its input is.
    MANDATE.require(locked, action)
    if not reason.strip():
        raise InvalidInput(field_errors={"reason": [_("请填写变动原因。")]})
    if effective_on < locked.elected_on:
        raise InvalidInput(field_errors={"effective_on": [_("生效日期不能早于当选日期。")]})
    locked.ended_on = effective_on
    locked.end_reason = reason.strip()[:200]
    MANDATE.move(
        locked,
        actor=actor,
        action=action,
        fields=["ended_on", "end_reason"],
        comment=locked.end_reason,
        event={"effective_on": effective_on, "reason": locked.end_reason},
        audit_after={"ended_on": effective_on.isoformat()},
        check_policy=False,
    )
    return locked


# Importing the registry from a spreadsheet ----------------------------------------------------
#
# upload_import -> check_import (PENDING -> CHECKING -> VALID | INVALID | FAILED)
# confirm_import -> run_import (QUEUED -> IMPORTING -> DONE | VALID | INVALID | FAILED)
# recheck_import (VALID | INVALID | FAILED -> PENDING) -> check_import
#
# Every move is a step of the IMPORT workflow (IMPORT_TRANSITIONS), taken through its mover;
# checking and importing are the system's steps (no actor). Small files are checked and
# written inside the request; larger ones by the background worker (tasks.py), while the page
# polls the progress. check_import and run_import claim their step under a row lock first, so
# running either twice for one import does nothing the second time; they manage their own
# transactions and are not atomic as a whole.

# Files up to this size are checked inside the upload request (about 300 rows).
SYNC_CHECK_BYTES = 48 * 1024
# Imports of up to this many rows are written inside the confirming request.
SYNC_IMPORT_ROWS = 300


def _sync_check_bytes() -> int:
    return int(getattr(settings, "DEPUTY_IMPORT_SYNC_BYTES", SYNC_CHECK_BYTES))


def _sync_import_rows() -> int:
    return int(getattr(settings, "DEPUTY_IMPORT_SYNC_ROWS", SYNC_IMPORT_ROWS))


def upload_import(
    *, actor: User, upload: UploadedFile, create_missing: bool = False
) -> DeputyImport:
    """Keep an uploaded file and check it: now when it is small, else in the background."""
    if not mandate_policy.allows_anywhere(actor, Action.CREATE):
        raise NotPermitted()
    size = upload.size or 0
    with transaction.atomic():
        deputy_import = DeputyImport(
            created_by=actor,
            region_id=mandate_policy.home_region(actor, Action.CREATE),
            filename=(upload.name or "")[:200],
            create_missing=create_missing,
        )
        deputy_import.file.save("upload.xlsx", upload, save=False)
        deputy_import.save()
        IMPORT.opened(deputy_import, actor=actor, action=UPLOAD)
        if size > _sync_check_bytes():
            from renda.deputies import tasks

            enqueue_on_commit(tasks.check_deputy_import, deputy_import.pk)
    if size <= _sync_check_bytes():
        check_import(import_id=deputy_import.pk)
        deputy_import.refresh_from_db()
    return deputy_import


def recheck_import(
    *, actor: User, deputy_import: DeputyImport, create_missing: bool
) -> DeputyImport:
    """Check the kept file again, e.g. now allowing new groups to be created."""
    with transaction.atomic():
        locked = DeputyImport.objects.select_for_update().get(pk=deputy_import.pk)
        import_policy.check(actor, locked, Action.CHANGE)
        IMPORT.require(locked, "recheck")
        if not locked.file:
            raise IMPORT.refuse(locked, "recheck")
        locked.create_missing = create_missing
        locked.processed_rows = 0
        IMPORT.move(
            locked,
            actor=actor,
            action="recheck",
            fields=["create_missing", "processed_rows"],
            check_policy=False,
        )
        background = locked.file.size > _sync_check_bytes()
        if background:
            from renda.deputies import tasks

            enqueue_on_commit(tasks.check_deputy_import, locked.pk)
    if not background:
        check_import(import_id=locked.pk)
        locked.refresh_from_db()
    return locked


def _claim(import_id: int, action: str) -> DeputyImport | None:
    """Take the system's step ``action`` (check, start) if the import is still in the state it
    starts from; else None: a second run finds the import moved on and does nothing.

    An import left in the step's own state (checking, importing) and untouched for longer
    than the task lease was being worked on by a worker that died: the task was handed back
    by ``renda.core.tasks.recover`` and goes on from the start of the step (the dead worker's
    transaction rolled back, so nothing of it is stored). A live worker reports progress
    (``updated_at``) while reading and holds the import's row lock while writing, so it is
    never taken over."""
    with transaction.atomic():
        deputy_import = (
            DeputyImport.objects.select_for_update()
            .select_related("created_by")
            .filter(pk=import_id)
            .first()
        )
        if deputy_import is None:
            return None
        step = IMPORT.steps[action]
        if deputy_import.status in step.sources:
            deputy_import.processed_rows = 0
            IMPORT.move(deputy_import, actor=None, action=action, fields=["processed_rows"])
            return deputy_import
        abandoned = timezone.now() - task_lease()
        if deputy_import.status in step.targets and deputy_import.updated_at < abandoned:
            IMPORT.note(deputy_import, actor=None, action="resume")
            DeputyImport.objects.filter(pk=import_id).update(
                processed_rows=0, updated_at=timezone.now()
            )
            deputy_import.processed_rows = 0
            return deputy_import
        return None


def _progress(import_id: int) -> Callable[[int, int], None]:
    def report(done: int, estimate: int) -> None:
        DeputyImport.objects.filter(pk=import_id).update(
            processed_rows=done, total_rows=estimate, updated_at=timezone.now()
        )

    return report


def _read(
    deputy_import: DeputyImport, progress: Callable[[int, int], None] | None
) -> importing.Plan:
    with deputy_import.file.open("rb") as source:
        return importing.check(
            source,
            user=deputy_import.created_by,
            create_missing=deputy_import.create_missing,
            progress=progress,
        )


# What storing a check's report writes beside the status.
REPORT_FIELDS = [
    "total_rows",
    "processed_rows",
    "valid_rows",
    "error_rows",
    "errors",
    "error_count",
    "summary",
    "message",
]


def _store_plan(
    deputy_import: DeputyImport, plan: importing.Plan, *, action: str, message: str = ""
) -> None:
    """Store the check's report: the system's step ``action`` (checked, or stopped before
    writing) to invalid when there are problems, else valid."""
    problems = plan.sorted_problems()
    good = plan.good_rows() if plan.file_ok else []
    deputy_import.total_rows = plan.total
    deputy_import.processed_rows = plan.total
    deputy_import.valid_rows = len(good)
    deputy_import.error_rows = len(plan.bad_rows)
    deputy_import.errors = [p.as_dict() for p in problems[: importing.MAX_STORED_PROBLEMS]]
    deputy_import.error_count = len(problems)
    deputy_import.summary = plan.summary(good)
    deputy_import.message = message
    IMPORT.move(
        deputy_import,
        actor=None,
        action=action,
        to=ImportStatus.INVALID if problems else ImportStatus.VALID,
        fields=REPORT_FIELDS,
    )


def _fail(import_id: int, message: str) -> None:
    """The system's step to failed, from checking or importing (whatever the step wrote was
    rolled back)."""
    with transaction.atomic():
        deputy_import = DeputyImport.objects.select_for_update().filter(pk=import_id).first()
        if deputy_import is None:
            return
        if deputy_import.status not in IMPORT.steps["fail"].sources:
            # Moved on meanwhile (not by this run, which holds the step): leave it there.
            log.warning(
                "deputies.import.fail_skipped", import_id=import_id, status=deputy_import.status
            )
            return
        deputy_import.message = message
        deputy_import.finished_at = timezone.now()
        IMPORT.move(deputy_import, actor=None, action="fail", fields=["message", "finished_at"])


def check_import(*, import_id: int) -> None:
    """Read and check every row of the kept file and store the report. Idempotent."""
    deputy_import = _claim(import_id, "check")
    if deputy_import is None:
        return
    try:
        plan = _read(deputy_import, _progress(import_id))
        _store_plan(deputy_import, plan, action="checked")
    except Exception:
        # Recorded on the import, which is what the user looks at; not raised again, so the
        # page that ran a small check inline still answers.
        log.exception("deputies.import.check_failed", import_id=import_id)
        _fail(import_id, _("校验时出错,未写入任何数据。请重新上传文件;如仍出错,请联系系统管理员。"))


@transaction.atomic
def confirm_import(*, actor: User, deputy_import: DeputyImport, mode: str) -> DeputyImport:
    """The user's go-ahead after reading the report: all rows (the file must be clean) or
    only the rows without errors. The rows are written by run_import."""
    locked = DeputyImport.objects.select_for_update().get(pk=deputy_import.pk)
    import_policy.check(actor, locked, Action.CHANGE)
    if mode not in ImportMode.values:
        raise InvalidInput(field_errors={"mode": [_("请选择导入方式。")]})
    IMPORT.require(locked, "confirm")
    if not locked.file:
        raise InvalidInput(_("上传的文件已不在服务器上(超过保留期限已删除),请重新上传。"))
    if mode == ImportMode.ALL and locked.status != ImportStatus.VALID:
        raise InvalidInput(
            _("文件中还有 %(n)d 行有错误,不能全部导入。请修改后重新上传,或选择“只导入无误的行”。"),
            n=locked.error_rows,
        )
    if mode == ImportMode.GOOD_ONLY and (
        any(e.get("file") for e in locked.errors) or locked.valid_rows == 0
    ):
        raise InvalidInput(_("文件的列有错误或没有无误的行,不能导入。请按报告修改后重新上传。"))
    locked.mode = mode
    locked.processed_rows = 0
    IMPORT.move(
        locked,
        actor=actor,
        action="confirm",
        fields=["mode", "processed_rows"],
        audit_after={"mode": mode},
        check_policy=False,
    )
    if locked.total_rows > _sync_import_rows():
        from renda.deputies import tasks

        enqueue_on_commit(tasks.run_deputy_import, locked.pk)
    return locked


def import_now(*, deputy_import: DeputyImport) -> DeputyImport:
    """Write a confirmed small import inside the request (larger ones are queued)."""
    if (
        deputy_import.status == ImportStatus.QUEUED
        and deputy_import.total_rows <= _sync_import_rows()
    ):
        run_import(import_id=deputy_import.pk)
        deputy_import.refresh_from_db()
    return deputy_import


def run_import(*, import_id: int) -> None:
    """Check the file once more (the registry may have changed since) and write its rows in
    one transaction: all of them, or only the good ones when the user chose so. Idempotent:
    only a QUEUED import is taken, and a failure leaves nothing written."""
    deputy_import = _claim(import_id, "start")
    if deputy_import is None:
        return
    try:
        plan = _read(deputy_import, _progress(import_id))
        good_only = deputy_import.mode == ImportMode.GOOD_ONLY
        rows = plan.good_rows() if plan.file_ok else []
        if not rows or (plan.problems and not good_only):
            _store_plan(
                deputy_import,
                plan,
                action="stopped",
                message=_(
                    "导入前再次校验时发现错误(名册可能已被他人修改),未写入任何数据。请查看下面的报告。"
                ),
            )
            return
        # Reading is done; what is left is one transaction the progress bar cannot see into.
        DeputyImport.objects.filter(pk=import_id).update(
            processed_rows=plan.total, total_rows=plan.total
        )
        with transaction.atomic():
            # Held until the import is done: a recovery run (see _claim) waits, then finds
            # the import moved on.
            DeputyImport.objects.select_for_update().filter(pk=import_id).exists()
            counts = _write(plan, rows, actor=deputy_import.created_by)
            problems = plan.sorted_problems()
            deputy_import.total_rows = plan.total
            deputy_import.processed_rows = plan.total
            deputy_import.valid_rows = len(rows)
            deputy_import.error_rows = len(plan.bad_rows)
            deputy_import.errors = [p.as_dict() for p in problems[: importing.MAX_STORED_PROBLEMS]]
            deputy_import.error_count = len(problems)
            deputy_import.summary = plan.summary(rows) | {"written": counts}
            deputy_import.finished_at = timezone.now()
            deputy_import.message = ""
            stored = deputy_import.file.name
            # The file holds ID numbers: once its rows are in the registry it goes.
            deputy_import.file = ""
            IMPORT.move(
                deputy_import,
                actor=None,
                action="done",
                fields=[*REPORT_FIELDS, "finished_at", "file"],
            )
            audit.record(
                actor=deputy_import.created_by,
                action=AuditAction.CREATE,
                obj=deputy_import,
                after={"mode": deputy_import.mode, "rows": plan.total, **counts},
                message=_(
                    "导入代表名册“%(file)s”:新建代表资格 %(m)d 条,新建人员 %(new)d 人,更新人员 %(upd)d 人。"
                )
                % {
                    "file": deputy_import.filename,
                    "m": counts["mandates"],
                    "new": counts["persons_created"],
                    "upd": counts["persons_updated"],
                },
            )
            if stored:
                storage = DeputyImport._meta.get_field("file").storage
                transaction.on_commit(functools.partial(storage.delete, stored))
    except IntegrityError:
        # Someone registered the same person, mandate or group between our check and write.
        log.warning("deputies.import.conflict", import_id=import_id)
        _fail(
            import_id,
            _(
                "导入期间名册被他人修改(例如同一代表被同时登记),未写入任何数据。请重新校验后再导入。"
            ),
        )
    except Exception:
        log.exception("deputies.import.run_failed", import_id=import_id)
        _fail(import_id, _("导入时出错,未写入任何数据。请稍后重试;如仍出错,请联系系统管理员。"))


CREATED_COUNT = {
    "delegation": "delegations_created",
    "group": "groups_created",
    "constituency": "constituencies_created",
}


def _write(plan: importing.Plan, rows: list[importing.Row], *, actor: User) -> dict[str, int]:
    """Bulk-write checked rows: missing delegations/groups/constituencies, new and updated
    people, mandates and their stations. A handful of statements per thousand rows."""
    now = timezone.now()
    counts: dict[str, int] = {}
    congresses = {r.congress.pk: r.congress for r in rows if r.congress}
    for key in importing.LINK_KEYS:
        model: Any = importing.LINK_MODELS[key]
        known = plan.links[key]
        wanted = sorted(
            {(r.congress.pk, getattr(r, key)) for r in rows if r.congress and getattr(r, key)}
            - set(known)
        )
        created = model._default_manager.bulk_create(
            [
                model(congress=congresses[cid], name=name, region_id=congresses[cid].region_id)
                for cid, name in wanted
            ]
        )
        for obj in created:
            known[(obj.congress_id, obj.name)] = obj
        counts[CREATED_COUNT[key]] = len(created)

    # One person per ID number; the most local congress's region registers a new one.
    by_person: dict[str, list[importing.Row]] = defaultdict(list)
    for row in rows:
        by_person[row.bidx].append(row)
    people: dict[str, Person] = {}
    new_people: list[Person] = []
    changed_people: list[Person] = []
    for bidx, own in by_person.items():
        data: dict[str, Any] = {}
        for row in own:
            for key, value in row.person_data().items():
                data.setdefault(key, value)
        existing = own[0].person
        if existing is not None:
            people[bidx] = existing
            if existing.pk in plan.updatable and _merge_person(existing, data):
                existing.updated_at = now
                changed_people.append(existing)
            continue
        home = max(own, key=lambda r: r.congress.region.depth if r.congress else -1)
        assert home.congress is not None
        person = Person(region=home.congress.region, created_at=now, updated_at=now)
        _merge_person(person, data)
        new_people.append(person)
        people[bidx] = person
    Person.objects.bulk_create(new_people, batch_size=1000)
    Person.objects.bulk_update(
        changed_people,
        [*importing.PERSON_KEYS, "phone_bidx", "id_number_bidx", "name_initials", "updated_at"],
        batch_size=500,
    )
    counts["persons_created"] = len(new_people)
    counts["persons_updated"] = len(changed_people)

    mandates = []
    for row in rows:
        assert row.congress is not None
        assert row.term is not None
        assert row.elected_on is not None
        cid = row.congress.pk
        mandates.append(
            Mandate(
                person=people[row.bidx],
                term=row.term,
                region_id=row.congress.region_id,
                delegation=plan.links["delegation"].get((cid, row.delegation)),
                group=plan.links["group"].get((cid, row.group)),
                constituency=plan.links["constituency"].get((cid, row.constituency)),
                category=row.category,
                full_time=row.full_time,
                elected_on=row.elected_on,
                created_at=now,
                updated_at=now,
            )
        )
    Mandate.objects.bulk_create(mandates, batch_size=1000)
    # Each mandate's first timeline entry, the election, as MANDATE.opened writes it.
    MandateEvent.objects.bulk_create(
        [
            MandateEvent(
                mandate=m,
                action=ELECT,
                from_status="",
                to_status=m.status,
                effective_on=m.elected_on,
                actor=actor,
                actor_name=actor.display_name,
            )
            for m in mandates
        ],
        batch_size=1000,
    )
    through = Mandate.stations.through
    links = [
        through(mandate_id=mandate.pk, organization_id=station.pk)
        for mandate, row in zip(mandates, rows, strict=True)
        for station in row.stations
    ]
    through.objects.bulk_create(links, batch_size=2000)
    counts["mandates"] = len(mandates)
    counts["station_links"] = len(links)
    counts["accounts_created"] = _deputy_accounts(list(people.values()), mandates)
    return counts


def _deputy_accounts(people: list[Person], mandates: list[Mandate]) -> int:
    """Every deputy has a private account: a person without one gets it (no usable password
    until the office activates it and hands over an initial password), and each mandate's
    congress grants the deputy role. Returns the number of accounts created."""
    have: dict[int, int] = {}
    for chunk in importing.chunks([p.pk for p in people]):
        have.update(User.objects.filter(person_id__in=chunk).values_list("person_id", "pk"))
    unusable = make_password(None)
    new = [
        User(username=f"rd{p.pk}", person=p, password=unusable, must_change_password=True)
        for p in people
        if p.pk not in have
    ]
    User.objects.bulk_create(new, batch_size=1000)
    have.update({u.person_id: u.pk for u in new if u.person_id is not None})
    granted: set[tuple[int, str]] = set()
    users = sorted(set(have.values()))
    for chunk in importing.chunks(users):
        granted.update(
            RoleGrant.objects.filter(
                user_id__in=chunk, role=Role.DEPUTY, organization__isnull=True
            ).values_list("user_id", "region_id")
        )
    wanted = sorted({(have[m.person_id], m.region_id) for m in mandates} - granted)
    RoleGrant.objects.bulk_create(
        [
            RoleGrant(user_id=user_id, role=Role.DEPUTY, region_id=region)
            for user_id, region in wanted
        ],
        batch_size=1000,
    )
    return len(new)


def _merge_person(person: Person, data: dict[str, Any]) -> bool:
    """Put the file's values on a person (blind indexes and initials as core.services
    keeps them); whether anything changed."""
    changed = False
    for key, value in data.items():
        if getattr(person, key) != value:
            setattr(person, key, value)
            changed = True
    if changed or person.pk is None:
        person.phone_bidx = crypto.blind_index(person.phone)
        person.id_number_bidx = crypto.blind_index(person.id_number)
        person.name_initials = pinyin_initials(person.name)
    return changed


# Files left behind ---------------------------------------------------------------------------

# Uploaded files hold ID numbers; one not imported within this many days is deleted.
KEEP_UPLOADS_DAYS = 7


def purge_stale_uploads(*, older_than: datetime.timedelta | None = None) -> int:
    """Delete the files of imports nobody confirmed in time; the import records (counts and
    the error report) stay. Run daily (``renda purge_deputy_imports``)."""
    age = older_than or datetime.timedelta(
        days=int(getattr(settings, "DEPUTY_IMPORT_KEEP_DAYS", KEEP_UPLOADS_DAYS))
    )
    cutoff = timezone.now() - age
    stale = DeputyImport.objects.filter(
        updated_at__lt=cutoff,
        status__in=[ImportStatus.VALID, ImportStatus.INVALID, ImportStatus.FAILED],
    ).exclude(file="")
    purged = 0
    for deputy_import in stale.iterator():
        name = deputy_import.file.name or ""
        with transaction.atomic():
            updated = DeputyImport.objects.filter(
                pk=deputy_import.pk, updated_at__lt=cutoff, file=name
            ).update(
                file="",
                message=_("超过 %(days)d 天未导入,上传的文件已删除。如需导入,请重新上传。")
                % {"days": age.days},
            )
            if updated:
                transaction.on_commit(functools.partial(deputy_import.file.storage.delete, name))
                purged += 1
    return purged
