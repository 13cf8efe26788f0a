"""The import pipeline goes through its workflow (deputies.import): every move is on the
import's timeline with one audit row, the uploader's steps under their name, the system's
(checking, importing) under none; a step delivered twice adds nothing; a failure and the
check again after it are steps too."""

from __future__ import annotations

from typing import Any

import pytest

from renda.core import services as core_services
from renda.core.models import AuditAction, AuditEvent, Region, User
from renda.deputies import services
from renda.deputies.models import DeputyImport, ImportStatus, Mandate
from renda.deputies.workflows import IMPORT
from tests.conftest import COUNTY
from tests.deputies.conftest import deputy_row, id_number, workbook_bytes

pytestmark = pytest.mark.django_db

S = ImportStatus


def _steps(item: DeputyImport) -> list[tuple[str, str, str]]:
    return [(e.action, e.from_status, e.to_status) for e in item.events.order_by("at", "id")]


def _transitions(item: DeputyImport) -> int:
    return AuditEvent.objects.filter(
        object_type="deputies.deputyimport",
        object_id=str(item.pk),
        action=AuditAction.TRANSITION,
    ).count()


def test_an_import_from_upload_to_done_is_on_its_timeline(
    login: Any, upload: Any, confirm: Any
) -> None:
    office = User.objects.get(username="county_office")
    client = login("county_office")
    item = upload(client, workbook_bytes([deputy_row(1)]))
    assert item.status == S.VALID
    # The uploader may confirm or have the file checked again; the system's steps are
    # offered to no one.
    assert IMPORT.available_actions(office, item) == {"confirm", "recheck"}
    assert IMPORT.available_actions(User.objects.get(username="office"), item) == set()
    item = confirm(client, item, "all")
    assert item.status == S.DONE
    assert _steps(item) == [
        ("upload", "", S.PENDING),
        ("check", S.PENDING, S.CHECKING),
        ("checked", S.CHECKING, S.VALID),
        ("confirm", S.VALID, S.QUEUED),
        ("start", S.QUEUED, S.IMPORTING),
        ("done", S.IMPORTING, S.DONE),
    ]
    names = [e.actor_name for e in item.events.order_by("at", "id")]
    shown = office.display_name
    assert names == [shown, "", "", shown, "", ""]
    assert _transitions(item) == 5
    assert IMPORT.available_actions(office, item) == set()
    # A task delivered twice finds the import finished: no step, no row.
    services.run_import(import_id=item.pk)
    services.check_import(import_id=item.pk)
    assert len(_steps(item)) == 6
    assert _transitions(item) == 5


def test_a_failed_check_is_a_step_and_so_is_the_check_again(
    login: Any, upload: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise OSError("disk")

    client = login("county_office")
    with monkeypatch.context() as patched:
        patched.setattr(services, "_read", broken)
        item = upload(client, workbook_bytes([deputy_row(1)]))
    assert item.status == S.FAILED
    assert "校验时出错" in item.message
    assert item.finished_at is not None
    assert _steps(item)[-1] == ("fail", S.CHECKING, S.FAILED)
    office = User.objects.get(username="county_office")
    assert IMPORT.available_actions(office, item) == {"recheck"}
    item = services.recheck_import(actor=office, deputy_import=item, create_missing=False)
    assert item.status == S.VALID
    assert _steps(item)[-4:] == [
        ("fail", S.CHECKING, S.FAILED),
        ("recheck", S.FAILED, S.PENDING),
        ("check", S.PENDING, S.CHECKING),
        ("checked", S.CHECKING, S.VALID),
    ]


def test_a_registry_changed_before_writing_stops_the_import_on_the_timeline(
    login: Any, upload: Any, confirm: Any
) -> None:
    client = login("county_office")
    item = upload(client, workbook_bytes([deputy_row(1)]))
    person = core_services.create_person(
        actor=None, region=Region.objects.get(code=COUNTY), name="测试代表1", id_number=id_number(1)
    )
    term = Mandate.objects.filter(region_id=COUNTY).first().term  # type: ignore[union-attr]
    services.create_mandate(actor=None, person=person, term=term, elected_on=term.start_date)
    item = confirm(client, item, "all")
    assert item.status == S.INVALID
    assert _steps(item)[-2:] == [
        ("start", S.QUEUED, S.IMPORTING),
        ("stopped", S.IMPORTING, S.INVALID),
    ]


def test_a_failed_import_writes_nothing_and_is_a_step(
    login: Any, upload: Any, confirm: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    client = login("county_office")
    item = upload(client, workbook_bytes([deputy_row(1)]))
    before = Mandate.objects.count()
    monkeypatch.setattr(services, "_write", broken)
    item = confirm(client, item, "all")
    assert item.status == S.FAILED
    assert "导入时出错" in item.message
    assert Mandate.objects.count() == before
    assert _steps(item)[-2:] == [
        ("start", S.QUEUED, S.IMPORTING),
        ("fail", S.IMPORTING, S.FAILED),
    ]
    # The file is kept: the uploader may check it again.
    assert item.file
    assert "recheck" in IMPORT.available_actions(User.objects.get(username="county_office"), item)
