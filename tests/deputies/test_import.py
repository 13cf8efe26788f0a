"""Importing deputies from the spreadsheet layout offices keep: template, per-row report,
nothing written until the file is clean (or the user imports only the good rows), writing,
re-import, background steps and progress."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from renda.core import crypto
from renda.core.models import AuditAction, AuditEvent, Person, Region, User
from renda.deputies import importing, services, spreadsheet
from renda.deputies.models import (
    Constituency,
    DeputyGroup,
    DeputyImport,
    ImportStatus,
    Mandate,
)
from tests.conftest import COUNTY
from tests.deputies.conftest import (
    HEADERS,
    OTHER_CONGRESS,
    deputy_row,
    id_number,
    upload_file,
    workbook_bytes,
)

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STATION = "西渡镇人大代表联络站"


def wrong_check_digit(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


def counts() -> tuple[int, int, int]:
    return Person.objects.count(), Mandate.objects.count(), DeputyGroup.objects.count()


def errors_by_row(item: DeputyImport) -> dict[int, list[tuple[str, str]]]:
    found: dict[int, list[tuple[str, str]]] = {}
    for error in item.errors:
        found.setdefault(error["row"], []).append((error["column"], error["message"]))
    return found


# Template -----------------------------------------------------------------------------------


def test_template_downloads_with_header_example_and_notes(login: Any) -> None:
    response = login("county_office").get("/deputies/import/template/")
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == [spreadsheet.SHEET_TITLE, spreadsheet.NOTES_TITLE]
    sheet = workbook[spreadsheet.SHEET_TITLE]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    example = dict(zip(HEADERS, rows[1], strict=True))
    # The example names the user's own congress and its term, so it reads as a real row.
    assert example["人大"] == "衡阳县人民代表大会"
    assert example["届次"] == "第十九届"
    assert example["姓名"].endswith("(示例)")
    notes = workbook[spreadsheet.NOTES_TITLE]
    described = {row[0] for row in notes.iter_rows(values_only=True)}
    assert {"身份证号码", "人大", "届次", "代表小组"} <= described


def test_template_uploaded_unchanged_is_caught(login: Any, upload: Any) -> None:
    client = login("county_office")
    template = client.get("/deputies/import/template/").content
    item = upload(client, template, name="模板.xlsx")
    assert item.status == ImportStatus.INVALID
    messages = [e["message"] for e in item.errors]
    assert any("示例行" in m for m in messages)


def test_import_pages_are_for_offices(login: Any) -> None:
    for username in ("deputy", "station", "leader", "unit", "citizen"):
        client = login(username)
        assert client.get("/deputies/import/").status_code == 403
        assert client.get("/deputies/import/template/").status_code == 403


# A file with errors ---------------------------------------------------------------------------


def test_wrong_header_is_reported_and_nothing_is_written(login: Any, upload: Any) -> None:
    headers = ["名字" if h == "姓名" else h for h in HEADERS if h != "届次"] + ["爱好"]
    rows = [{("名字" if k == "姓名" else k): v for k, v in deputy_row(1).items()}]
    before = counts()
    item = upload(login("county_office"), workbook_bytes(rows, headers=headers))
    assert item.status == ImportStatus.INVALID
    messages = " ".join(e["message"] for e in item.errors)
    assert "“名字”不是模板中的列" in messages
    assert "“爱好”不是模板中的列" in messages
    assert "缺少必填列“姓名”" in messages
    assert "缺少必填列“届次”" in messages
    assert all(e.get("file") for e in item.errors)
    assert counts() == before


def test_row_errors_are_listed_per_row_and_column_and_nothing_is_written(
    login: Any, upload: Any, confirm: Any
) -> None:
    client = login("county_office")
    duplicate = id_number(7)
    rows = [
        deputy_row(1),  # row 2: fine
        deputy_row(2, 身份证号码=duplicate),  # rows 3 and 4: same person twice in one term
        deputy_row(3, 身份证号码=duplicate, 姓名="测试代表2"),
        deputy_row(4, 当选日期="2021-02-30"),  # row 5: impossible date
        deputy_row(5, 代表小组="不存在的小组"),  # row 6: unknown group
        deputy_row(6, 人大=OTHER_CONGRESS),  # row 7: 珠晖区 is outside the county's jurisdiction
        deputy_row(8, 身份证号码=wrong_check_digit(id_number(8))),  # row 8
        deputy_row(9, 联络站="不存在的联络站"),  # row 9
        deputy_row(10, 人大="火星县人民代表大会"),  # row 10: unknown congress
        deputy_row(11, 届次="第二十届"),  # row 11: unknown term
        deputy_row(12, 性别="女"),  # row 12: ID says male
        deputy_row(13, 姓名=""),  # row 13: required
    ]
    before = counts()
    item = upload(client, workbook_bytes(rows))
    assert item.status == ImportStatus.INVALID
    assert (item.total_rows, item.valid_rows, item.error_rows) == (12, 1, 11)
    found = errors_by_row(item)
    assert 2 not in found
    assert found[3][0][0] == "身份证号码"
    assert "第 4 行重复" in found[3][0][1]
    assert "第 3 行重复" in found[4][0][1]
    assert found[5] == [("当选日期", "日期“2021-02-30”不存在或无法识别,请填写如 2021-10-01。")]
    assert found[6][0][0] == "代表小组"
    assert "尚未登记" in found[6][0][1]
    assert found[7][0][0] == "人大"
    assert "不在您的管辖范围内" in found[7][0][1]
    assert found[8] == [("身份证号码", "身份证号码校验位不正确,请核对是否有输错的数字。")]
    assert found[9][0][0] == "联络站"
    assert "找不到联络站“不存在的联络站”" in found[9][0][1]
    assert "找不到人大" in found[10][0][1]
    assert found[11][0][0] == "届次"
    assert "没有第 20 届" in found[11][0][1]
    assert found[12][0][0] == "性别"
    assert "不符" in found[12][0][1]
    assert found[13] == [("姓名", "请填写姓名。")]
    assert counts() == before

    # The report page shows each bad row, column and reason.
    page = client.get(f"/deputies/import/{item.pk}/").content.decode()
    assert "第 5 行" in page
    assert "当选日期" in page
    assert "2021-02-30" in page
    assert "不在您的管辖范围内" in page
    assert "只导入无误的行" in page
    # Importing "all" is refused while errors remain; nothing is written.
    item = confirm(client, item, "all")
    assert item.status == ImportStatus.INVALID
    assert counts() == before


def test_fixed_file_imports_people_and_mandates(login: Any, upload: Any, confirm: Any) -> None:
    client = login("county_office")
    rows = [
        deputy_row(
            1,
            代表小组="第一代表小组",
            选区="第一选区",
            联络站=STATION,
            代表构成="农民",
            **{"专职(是/否)": "是"},
        ),
        deputy_row(2, female=True, 出生日期="1980.01", 代表小组="第一代表小组"),
        # The same person in the township congress too: one person, two mandates.
        deputy_row(1, 人大="430421100000", 届次=20, 联络站=STATION, 当选日期="2021/10/1"),
    ]
    before_people, before_mandates, _ = counts()
    item = upload(client, workbook_bytes(rows), create_missing=True)
    assert item.status == ImportStatus.VALID, item.errors
    assert item.summary["persons_new"] == 2
    assert [g["name"] for g in item.summary["new"]["group"]] == ["第一代表小组"]
    page = client.get(f"/deputies/import/{item.pk}/").content.decode()
    assert "新建代表小组 1 个" in page
    assert "确认导入" in page
    stored = item.file.name
    item = confirm(client, item, "all")
    assert item.status == ImportStatus.DONE, item.message
    assert item.summary["written"]["mandates"] == 3
    assert Person.objects.count() == before_people + 2
    assert Mandate.objects.count() == before_mandates + 3

    person = Person.objects.get(id_number_bidx=crypto.blind_index(id_number(1)))
    assert person.name == "测试代表1"
    assert person.name_initials == "csdb"  # digits have no pinyin
    assert person.phone == "13900000001"
    assert person.phone_bidx == crypto.blind_index("13900000001")
    assert person.birth_date == datetime.date(1980, 1, 1)
    # Registered where the most local of their congresses is.
    assert person.region_id == "430421100000"
    county_mandate = Mandate.objects.get(person=person, region_id=COUNTY)
    assert county_mandate.category == "farmer"
    assert county_mandate.full_time is True
    assert county_mandate.group is not None
    assert county_mandate.group.name == "第一代表小组"
    assert Constituency.objects.filter(name="第一选区", congress__region_id=COUNTY).exists()
    assert [s.name for s in county_mandate.stations.all()] == [STATION]
    assert county_mandate.elected_on == datetime.date(2021, 10, 1)
    township = Mandate.objects.get(person=person, region_id="430421100000")
    assert township.term.number == 20
    second = Person.objects.get(id_number_bidx=crypto.blind_index(id_number(2, female=True)))
    assert second.gender == "F"
    # Both rows name the same new group: it exists once.
    assert DeputyGroup.objects.filter(name="第一代表小组", congress__region_id=COUNTY).count() == 1

    # The import's own record (each step of the pipeline also has its transition row).
    event = AuditEvent.objects.get(
        object_type="deputies.deputyimport", object_id=str(item.pk), action=AuditAction.CREATE
    )
    assert event.action == AuditAction.CREATE
    assert event.after["mandates"] == 3
    assert event.after["persons_created"] == 2
    # Each new deputy has a private account, waiting for the office to activate it, and the
    # deputy role in each congress they sit in.
    assert event.after["accounts_created"] == 2
    account = User.objects.get(person=person)
    assert not account.has_usable_password()
    assert account.must_change_password
    assert set(account.grants.filter(role="deputy").values_list("region_id", flat=True)) == {
        COUNTY,
        "430421100000",
    }
    # The uploaded file held ID numbers; once imported it is gone.
    assert not item.file
    assert not DeputyImport._meta.get_field("file").storage.exists(stored)  # type: ignore[union-attr]


def test_unknown_groups_are_errors_unless_creation_is_chosen(
    login: Any, upload: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = login("county_office")
    item = upload(client, workbook_bytes([deputy_row(1, 代表小组="新小组", 代表团="新代表团")]))
    assert item.status == ImportStatus.INVALID
    assert {e["column"] for e in item.errors} == {"代表小组", "代表团"}
    # Re-check the kept file, now allowing creation: it passes and says what it will create.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/deputies/import/{item.pk}/recheck/", {"create_missing": "on"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == ImportStatus.VALID
    assert item.summary["new"]["group"] == [{"congress": "衡阳县人民代表大会", "name": "新小组"}]
    assert item.summary["new"]["delegation"] == [
        {"congress": "衡阳县人民代表大会", "name": "新代表团"}
    ]


def test_only_good_rows(login: Any, upload: Any, confirm: Any) -> None:
    client = login("county_office")
    rows = [deputy_row(1), deputy_row(2, 手机号码="12345"), deputy_row(3)]
    _, before_mandates, _ = counts()
    item = upload(client, workbook_bytes(rows))
    assert item.status == ImportStatus.INVALID
    assert (item.valid_rows, item.error_rows) == (2, 1)
    item = confirm(client, item, "good_only")
    assert item.status == ImportStatus.DONE, item.message
    assert Mandate.objects.count() == before_mandates + 2
    assert not Person.objects.filter(id_number_bidx=crypto.blind_index(id_number(2))).exists()
    # The bad row is still reported on the finished import.
    assert errors_by_row(item)[3][0][0] == "手机号码"
    page = client.get(f"/deputies/import/{item.pk}/").content.decode()
    assert "有误的 1 行未导入" in page


def test_file_errors_block_even_good_rows(login: Any, upload: Any, confirm: Any) -> None:
    client = login("county_office")
    headers = [*HEADERS, "爱好"]
    item = upload(client, workbook_bytes([deputy_row(1)], headers=headers))
    assert item.status == ImportStatus.INVALID
    _, before, _ = counts()
    item = confirm(client, item, "good_only")
    assert item.status == ImportStatus.INVALID
    assert counts()[1] == before


def test_reimporting_the_same_file_reports_duplicates(
    login: Any, upload: Any, confirm: Any
) -> None:
    client = login("county_office")
    content = workbook_bytes([deputy_row(1), deputy_row(2)])
    assert confirm(client, upload(client, content)).status == ImportStatus.DONE
    before = counts()
    again = upload(client, content)
    assert again.status == ImportStatus.INVALID
    assert again.valid_rows == 0
    assert [e["message"] for e in again.errors] == [
        "测试代表1 已是衡阳县人民代表大会第十九届代表,不能重复登记。",
        "测试代表2 已是衡阳县人民代表大会第十九届代表,不能重复登记。",
    ]
    assert counts() == before


def test_existing_person_is_matched_by_id_number_and_updated(
    login: Any, upload: Any, confirm: Any
) -> None:
    # A township deputy of 西渡镇 becomes a county deputy too.
    mandate = Mandate.objects.filter(region_id="430421100000").select_related("person").first()
    assert mandate is not None
    person = mandate.person
    row = deputy_row(
        1,
        姓名=person.name,
        身份证号码=person.id_number,
        性别=person.get_gender_display(),
        工作单位="新的工作单位",
        手机号码="",
        出生日期=None,
    )
    client = login("county_office")
    item = upload(client, workbook_bytes([row]))
    assert item.status == ImportStatus.VALID, item.errors
    assert (item.summary["persons_new"], item.summary["persons_updated"]) == (0, 1)
    people_before = Person.objects.count()
    assert confirm(client, item).status == ImportStatus.DONE
    assert Person.objects.count() == people_before
    person.refresh_from_db()
    assert person.employer == "新的工作单位"
    # An empty cell leaves what was registered.
    assert person.phone
    assert Mandate.objects.filter(person=person, region_id=COUNTY).exists()


def test_existing_person_of_another_jurisdiction_is_linked_not_changed(
    login: Any, upload: Any, confirm: Any
) -> None:
    # The city office's own staff member, registered at city level.
    person = User.objects.get(username="office").person
    assert person is not None
    row = deputy_row(
        1,
        姓名=person.name,
        身份证号码=person.id_number,
        性别=person.get_gender_display(),
        工作单位="改不了",
        出生日期=None,
    )
    client = login("county_office")
    item = upload(client, workbook_bytes([row]))
    assert item.status == ImportStatus.VALID, item.errors
    assert item.summary["persons_kept"] == 1
    assert confirm(client, item).status == ImportStatus.DONE
    person.refresh_from_db()
    assert person.employer != "改不了"
    assert Mandate.objects.filter(person=person, region_id=COUNTY).exists()


def test_id_number_registered_under_another_name(login: Any, upload: Any) -> None:
    person = Mandate.objects.filter(region_id=COUNTY).first().person  # type: ignore[union-attr]
    row = deputy_row(
        1,
        姓名="别的名字",
        身份证号码=person.id_number,
        性别=person.get_gender_display(),
        出生日期=None,
        届次=20,
        人大="430421100000",
    )
    item = upload(login("county_office"), workbook_bytes([row]))
    messages = [e["message"] for e in item.errors]
    assert "该身份证号码已登记在另一个姓名下,请核对姓名和身份证号码。" in messages
    # The registered name is not revealed.
    assert person.name not in " ".join(messages)


def test_id_number_stored_as_a_number_gets_a_hint(login: Any, upload: Any) -> None:
    row = deputy_row(1, 身份证号码=float(id_number(1)[:15] + "000"))
    item = upload(login("county_office"), workbook_bytes([row]))
    assert "存成了数字" in item.errors[0]["message"]


def test_header_may_sit_under_a_title_row_and_columns_may_move(login: Any, upload: Any) -> None:
    headers = list(reversed(HEADERS))
    workbook_rows = [deputy_row(1)]
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["衡阳县第十九届人民代表大会代表名册"])
    sheet.append(["序号", *headers])
    for index, row in enumerate(workbook_rows, start=1):
        sheet.append([index, *[row.get(h) for h in headers]])
    output = io.BytesIO()
    workbook.save(output)
    item = upload(login("county_office"), output.getvalue())
    assert item.status == ImportStatus.VALID, item.errors


def test_not_a_spreadsheet(login: Any, upload: Any) -> None:
    client = login("county_office")
    item = upload(client, b"this is not a workbook", name="名册.xlsx")
    assert item.status == ImportStatus.INVALID
    assert "无法读取该文件" in item.errors[0]["message"]
    response = client.post("/deputies/import/", {"file": upload_file(b"x", "名册.xls")})
    assert response.status_code == 200
    assert "另存为" in response.content.decode()
    assert DeputyImport.objects.filter(filename="名册.xls").count() == 0


def test_empty_file(login: Any, upload: Any) -> None:
    item = upload(login("county_office"), workbook_bytes([]))
    assert "没有代表数据" in item.errors[0]["message"]


def test_imports_are_private_to_their_uploader(login: Any, upload: Any) -> None:
    item = upload(login("county_office"), workbook_bytes([deputy_row(1)]))
    other = login("office")
    assert other.get(f"/deputies/import/{item.pk}/").status_code == 404
    assert other.post(f"/deputies/import/{item.pk}/confirm/", {"mode": "all"}).status_code == 404
    assert login("deputy").get(f"/deputies/import/{item.pk}/").status_code == 404


# Background steps and progress ----------------------------------------------------------------


def test_large_files_are_checked_and_written_in_the_background(
    login: Any,
    upload: Any,
    confirm: Any,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.DEPUTY_IMPORT_SYNC_BYTES = 0
    settings.DEPUTY_IMPORT_SYNC_ROWS = 0
    client = login("county_office")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            "/deputies/import/",
            {"file": upload_file(workbook_bytes([deputy_row(1), deputy_row(2)]))},
        )
    item = DeputyImport.objects.latest("id")
    assert response.status_code == 302
    # Queued, not yet checked: the page polls the progress.
    assert item.status == ImportStatus.PENDING
    page = client.get(f"/deputies/import/{item.pk}/").content.decode()
    assert 'hx-trigger="every 1s"' in page
    progress = client.get(f"/deputies/import/{item.pk}/progress/", HTTP_HX_REQUEST="true")
    assert progress.status_code == 200
    assert "<progress" in progress.content.decode()
    # The worker runs the task (the immediate backend, when the transaction commits).
    assert len(callbacks) == 1
    callbacks[0]()
    item.refresh_from_db()
    assert item.status == ImportStatus.VALID
    done = client.get(f"/deputies/import/{item.pk}/progress/", HTTP_HX_REQUEST="true")
    assert done["HX-Refresh"] == "true"

    _, before, _ = counts()
    item = confirm(client, item, "all")
    assert item.status == ImportStatus.DONE
    assert counts()[1] == before + 2


def test_progress_shows_rows_checked(login: Any, user: Any) -> None:
    item = DeputyImport.objects.create(
        created_by=user("county_office"),
        filename="大文件.xlsx",
        status=ImportStatus.CHECKING,
        total_rows=13195,
        processed_rows=6500,
    )
    body = login("county_office").get(f"/deputies/import/{item.pk}/progress/").content.decode()
    assert 'value="49"' in body
    assert "6500 / 13195" in body


def test_steps_are_idempotent(login: Any, upload: Any, confirm: Any) -> None:
    client = login("county_office")
    item = confirm(client, upload(client, workbook_bytes([deputy_row(1)])))
    assert item.status == ImportStatus.DONE
    _, before, _ = counts()
    # A task delivered twice finds the import finished and does nothing.
    services.run_import(import_id=item.pk)
    services.check_import(import_id=item.pk)
    item.refresh_from_db()
    assert item.status == ImportStatus.DONE
    assert counts()[1] == before
    # Confirming again is refused with a Chinese message.
    response = client.post(f"/deputies/import/{item.pk}/confirm/", {"mode": "all"}, follow=True)
    assert "不能执行“确认导入”" in response.content.decode()


def test_registry_changed_between_check_and_import(login: Any, upload: Any, confirm: Any) -> None:
    client = login("county_office")
    item = upload(client, workbook_bytes([deputy_row(1)]))
    assert item.status == ImportStatus.VALID
    # Someone registers the same deputy meanwhile.
    person = services_person(id_number(1))
    term = Mandate.objects.filter(region_id=COUNTY).first().term  # type: ignore[union-attr]
    services.create_mandate(actor=None, person=person, term=term, elected_on=term.start_date)
    _, before, _ = counts()
    item = confirm(client, item, "all")
    assert item.status == ImportStatus.INVALID
    assert "再次校验时发现错误" in item.message
    assert counts()[1] == before


def services_person(number: str) -> Person:
    from renda.core import services as core_services

    return core_services.create_person(
        actor=None, region=Region.objects.get(code=COUNTY), name="测试代表1", id_number=number
    )


def test_check_reads_with_a_few_queries_whatever_the_size(
    user: Any, django_assert_max_num_queries: Any
) -> None:
    rows = [deputy_row(i, 代表小组="第一代表小组", 联络站=STATION) for i in range(1, 301)]
    content = workbook_bytes(rows)
    with django_assert_max_num_queries(15):
        plan = importing.check(io.BytesIO(content), user=user("county_office"), create_missing=True)
    assert len(plan.rows) == 300
    assert not plan.problems


def test_client_keeps_typed_values_on_bad_upload(login: Any) -> None:
    client: Client = login("county_office")
    response = client.post("/deputies/import/", {"create_missing": "on"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "请选择要上传的文件。" in body
    assert 'id="id_create_missing" checked' in body


def test_one_person_on_several_rows_must_agree(login: Any, upload: Any) -> None:
    rows = [
        deputy_row(1, 工作单位="甲单位"),
        deputy_row(1, 人大="430421100000", 届次=20, 工作单位="乙单位"),
    ]
    item = upload(login("county_office"), workbook_bytes(rows))
    assert errors_by_row(item) == {
        3: [("工作单位", "同一人(身份证号码相同)在第 2 行填写的工作单位与本行不一致,请统一。")]
    }


def test_stale_uploads_are_deleted(
    login: Any, upload: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = login("county_office")
    item = upload(client, workbook_bytes([deputy_row(1)]))
    stored = item.file.name
    storage = DeputyImport._meta.get_field("file").storage  # type: ignore[union-attr]
    assert storage.exists(stored)
    call_command("purge_deputy_imports", stdout=io.StringIO())
    item.refresh_from_db()
    assert item.file  # still fresh
    DeputyImport.objects.filter(pk=item.pk).update(
        updated_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    )
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("purge_deputy_imports", stdout=out)
    assert "purged 1" in out.getvalue()
    item.refresh_from_db()
    assert not item.file
    assert not storage.exists(stored)
    assert "已删除" in item.message
    # The record stays; importing it now asks for a new upload.
    _, before, _ = counts()
    response = client.post(f"/deputies/import/{item.pk}/confirm/", {"mode": "all"}, follow=True)
    assert "请重新上传" in response.content.decode()
    assert counts()[1] == before


def _abandon(item: DeputyImport, status: str, *, minutes_ago: float) -> None:
    """What a worker killed mid-step leaves: the status it had moved to (its rows rolled
    back), untouched since."""
    DeputyImport.objects.filter(pk=item.pk).update(
        status=status,
        updated_at=timezone.now() - datetime.timedelta(minutes=minutes_ago),
    )


def test_an_import_whose_worker_died_goes_on_once_the_task_is_handed_back(
    login: Any, upload: Any, settings: Any
) -> None:
    settings.TASK_LEASE_SECONDS = 60
    client = login("county_office")
    item = upload(client, workbook_bytes([deputy_row(1), deputy_row(2)]))
    assert item.status == ImportStatus.VALID
    # Killed while checking: the task, handed back after the lease, checks again.
    _abandon(item, ImportStatus.CHECKING, minutes_ago=2)
    services.check_import(import_id=item.pk)
    item.refresh_from_db()
    assert item.status == ImportStatus.VALID
    assert item.events.filter(action="resume").count() == 1
    # Confirmed as a background import (the task not yet run: inside the test's transaction
    # nothing commits), then killed while writing: its rows rolled back; the handed-back task writes them once.
    settings.DEPUTY_IMPORT_SYNC_ROWS = 0
    response = client.post(f"/deputies/import/{item.pk}/confirm/", {"mode": "all"})
    assert response.status_code == 302
    _, before, _ = counts()
    _abandon(item, ImportStatus.IMPORTING, minutes_ago=2)
    services.run_import(import_id=item.pk)
    item.refresh_from_db()
    assert item.status == ImportStatus.DONE, item.message
    assert counts()[1] == before + 2
    assert item.events.filter(action="resume").count() == 2
    services.run_import(import_id=item.pk)
    assert counts()[1] == before + 2


def test_an_import_in_progress_is_not_taken_over(login: Any, upload: Any, settings: Any) -> None:
    settings.TASK_LEASE_SECONDS = 60
    client = login("county_office")
    item = upload(client, workbook_bytes([deputy_row(1)]))
    # A live worker is checking it (progress written moments ago): a second delivery of the
    # task leaves it alone.
    _abandon(item, ImportStatus.CHECKING, minutes_ago=0.1)
    services.check_import(import_id=item.pk)
    item.refresh_from_db()
    assert item.status == ImportStatus.CHECKING
    assert not item.events.filter(action="resume").exists()
