"""Writes to the shared domain. Each service runs in one transaction, checks the actor's
permission through the domain policy and leaves an audit event; ``actor=None`` means the
platform itself (seeding, migrations) and skips the permission check, never the audit."""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Callable
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from renda.core import audit, congresses, crypto, policies
from renda.core.errors import InvalidInput, NotPermitted
from renda.core.models import (
    CONGRESS_BODY_KINDS,
    LEVEL_ORDER,
    ORGANIZATION_ROLES,
    PREFIX_LENGTH,
    AuditAction,
    Congress,
    Organization,
    Person,
    Region,
    RegionLevel,
    Role,
    RoleGrant,
    Term,
    User,
)
from renda.core.policies import Action
from renda.core.text import pinyin_initials
from renda.core.validators import validate_id_number, validate_mobile, validate_region_code

PERSON_FIELDS = (
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "party",
    "education",
    "employer",
    "post",
    "phone",
    "id_number",
)
ORGANIZATION_FIELDS = ("name", "short_name", "kind", "address", "phone", "is_active", "parent")


def _require(ok: bool) -> None:
    if not ok:
        raise NotPermitted()


def _clean(errors: dict[str, list[str]], field: str, check: Callable[[], Any]) -> Any:
    """Run one field's validator, collecting its message instead of stopping at the first."""
    try:
        return check()
    except ValidationError as exc:
        errors.setdefault(field, []).extend(exc.messages)
        return None


# Regions, congresses and terms ---------------------------------------------------------------


@transaction.atomic
def create_region(
    *, actor: User | None, code: str, name: str, level: str, parent: Region | None
) -> Region:
    errors: dict[str, list[str]] = {}
    _clean(errors, "code", lambda: validate_region_code(code))
    if level not in PREFIX_LENGTH:
        errors.setdefault("level", []).append(_("层级不正确。"))
    elif parent is None and level != RegionLevel.NATIONAL and Region.objects.exists():
        errors.setdefault("parent", []).append(_("请选择上级区划。"))
    elif parent is not None:
        if LEVEL_ORDER.index(level) <= LEVEL_ORDER.index(parent.level):
            errors.setdefault("level", []).append(_("层级必须低于上级区划。"))
        elif not errors and not parent.contains_code(code):
            errors.setdefault("code", []).append(
                _("区划代码 %(code)s 不属于上级区划 %(parent)s。")
                % {"code": code, "parent": parent.name}
            )
    if not name.strip():
        errors.setdefault("name", []).append(_("请填写名称。"))
    if Region.objects.filter(code=code).exists():
        errors.setdefault("code", []).append(_("区划代码已存在。"))
    if errors:
        raise InvalidInput(field_errors=errors)
    if actor is not None:
        _require(parent is not None and policies.regions.can_in_region(actor, Action.CREATE, code))
    region = Region.objects.create(code=code, name=name.strip(), level=level, parent=parent)
    audit.record(actor=actor, action=AuditAction.CREATE, obj=region, after=audit.snapshot(region))
    return region


@transaction.atomic
def create_congress(*, actor: User | None, region: Region, name: str = "") -> Congress:
    if actor is not None:
        _require(policies.regions.can_in_region(actor, Action.CHANGE, region.code))
    if Congress.objects.filter(region=region).exists():
        raise InvalidInput(_("%(region)s 已设立人大。"), region=region.name)
    congress = Congress.objects.create(
        region=region,
        name=name or _("%(region)s人民代表大会") % {"region": region.name},
        has_standing_committee=region.level != RegionLevel.TOWNSHIP,
    )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=congress,
        after=audit.snapshot(congress),
        region_code=region.code,
    )
    congresses.created([congress.pk])
    return congress


@transaction.atomic
def create_term(
    *,
    actor: User | None,
    congress: Congress,
    number: int,
    start_date: datetime.date,
    end_date: datetime.date | None = None,
) -> Term:
    if actor is not None:
        _require(policies.regions.can_in_region(actor, Action.CHANGE, congress.region_id))
    if end_date is not None and end_date <= start_date:
        raise InvalidInput(field_errors={"end_date": [_("结束日期必须晚于开始日期。")]})
    if Term.objects.filter(congress=congress, number=number).exists():
        raise InvalidInput(field_errors={"number": [_("该届次已存在。")]})
    term = Term.objects.create(
        congress=congress, number=number, start_date=start_date, end_date=end_date
    )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=term,
        after=audit.snapshot(term),
        region_code=congress.region_id,
    )
    return term


# Organizations --------------------------------------------------------------------------------


def _validate_organization(
    *, kind: str, region: Region, congress: Congress | None, name: str
) -> None:
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = [_("请填写机构名称。")]
    if kind in CONGRESS_BODY_KINDS:
        if congress is None:
            errors["congress"] = [_("人大机构必须属于一个人大。")]
        elif congress.region_id != region.code:
            errors["congress"] = [_("人大机构的区划必须与所属人大一致。")]
        elif kind == "standing_committee" and not congress.has_standing_committee:
            errors["kind"] = [_("乡镇人大不设常委会,请选择“人大主席团”。")]
        elif kind == "presidium" and congress.has_standing_committee:
            errors["kind"] = [_("县级以上人大设常委会,不设闭会期间的主席团机构。")]
    if errors:
        raise InvalidInput(field_errors=errors)


@transaction.atomic
def create_organization(
    *,
    actor: User | None,
    name: str,
    kind: str,
    region: Region,
    congress: Congress | None = None,
    parent: Organization | None = None,
    short_name: str = "",
    address: str = "",
    phone: str = "",
) -> Organization:
    if actor is not None:
        _require(policies.organizations.can_in_region(actor, Action.CREATE, region.code))
    _validate_organization(kind=kind, region=region, congress=congress, name=name)
    if Organization.objects.filter(region=region, kind=kind, name=name.strip()).exists():
        raise InvalidInput(field_errors={"name": [_("该区划下已有同名同类机构。")]})
    org = Organization.objects.create(
        name=name.strip(),
        kind=kind,
        region=region,
        congress=congress,
        parent=parent,
        short_name=short_name,
        address=address,
        phone=phone,
    )
    audit.record(actor=actor, action=AuditAction.CREATE, obj=org, after=audit.snapshot(org))
    return org


@transaction.atomic
def update_organization(
    *, actor: User | None, organization: Organization, **changes: Any
) -> Organization:
    org = Organization.objects.select_for_update().get(pk=organization.pk)
    if actor is not None:
        policies.organizations.check(actor, org, Action.CHANGE)
    unknown = set(changes) - set(ORGANIZATION_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    before = audit.snapshot(org)
    for key, value in changes.items():
        setattr(org, key, value.strip() if isinstance(value, str) else value)
    _validate_organization(kind=org.kind, region=org.region, congress=org.congress, name=org.name)
    org.save()
    old, new = audit.diff(before, audit.snapshot(org))
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=org, before=old, after=new)
    return org


# People ----------------------------------------------------------------------------------------


def _clean_person(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    cleaned = dict(data)
    name = (data.get("name") or "").strip()
    if not name:
        errors["name"] = [_("请填写姓名。")]
    elif len(name) > 50:
        errors["name"] = [_("姓名不能超过 50 个字。")]
    cleaned["name"] = name
    if data.get("phone"):
        cleaned["phone"] = _clean(errors, "phone", lambda: validate_mobile(data["phone"]))
    if data.get("id_number"):
        cleaned["id_number"] = _clean(
            errors, "id_number", lambda: validate_id_number(data["id_number"])
        )
        if cleaned["id_number"] and not data.get("birth_date"):
            number = cleaned["id_number"]
            cleaned["birth_date"] = datetime.date(
                int(number[6:10]), int(number[10:12]), int(number[12:14])
            )
    if errors:
        raise InvalidInput(field_errors=errors)
    return cleaned


def _apply_person(person: Person, data: dict[str, Any]) -> None:
    for key, value in data.items():
        if value is None and key != "birth_date":
            value = ""
        setattr(person, key, value)
    person.phone_bidx = crypto.blind_index(person.phone)
    person.id_number_bidx = crypto.blind_index(person.id_number)
    person.name_initials = pinyin_initials(person.name)


def _save_person(person: Person) -> None:
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:
        raise InvalidInput(
            field_errors={"id_number": [_("该身份证号码已登记在另一人员名下。")]}
        ) from None


@transaction.atomic
def create_person(*, actor: User | None, region: Region, **data: Any) -> Person:
    unknown = set(data) - set(PERSON_FIELDS)
    if unknown:
        raise ValueError(f"unknown person fields: {sorted(unknown)}")
    if actor is not None:
        _require(policies.people.can_in_region(actor, Action.CREATE, region.code))
    cleaned = _clean_person(data)
    person = Person(region=region)
    _apply_person(person, cleaned)
    _save_person(person)
    audit.record(actor=actor, action=AuditAction.CREATE, obj=person, after=audit.snapshot(person))
    return person


@transaction.atomic
def update_person(*, actor: User | None, person: Person, **changes: Any) -> Person:
    unknown = set(changes) - set(PERSON_FIELDS)
    if unknown:
        raise ValueError(f"unknown person fields: {sorted(unknown)}")
    locked = Person.objects.select_for_update().get(pk=person.pk)
    if actor is not None:
        policies.people.check(actor, locked, Action.CHANGE)
    before = audit.snapshot(locked)
    merged = {f: getattr(locked, f) for f in PERSON_FIELDS} | changes
    _apply_person(locked, _clean_person(merged))
    _save_person(locked)
    old, new = audit.diff(before, audit.snapshot(locked))
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=locked, before=old, after=new)
    return locked


def reveal_person_contact(*, actor: User, person: Person) -> tuple[str, str]:
    """Full phone and ID number for someone entitled to them; every look is audited."""
    policies.people.check(actor, person, Action.VIEW_SENSITIVE)
    audit.record(
        actor=actor,
        action=AuditAction.ACCESS,
        obj=person,
        message=_("查看完整手机号码和身份证号码"),
    )
    return person.phone, person.id_number


# Accounts and roles ---------------------------------------------------------------------------


@transaction.atomic
def create_account(
    *,
    actor: User | None,
    username: str,
    person: Person | None = None,
    password: str | None = None,
    must_change_password: bool = True,
    email: str = "",
) -> User:
    username = username.strip()
    if not username:
        raise InvalidInput(field_errors={"username": [_("请填写登录名。")]})
    if User.objects.filter(username__iexact=username).exists():
        raise InvalidInput(
            field_errors={"username": [_("登录名“%(u)s”已被使用。") % {"u": username}]}
        )
    if actor is not None:
        _require(
            person is not None
            and policies.people.can_in_region(actor, Action.CREATE, person.region_id)
        )
    user = User(
        username=username, person=person, email=email, must_change_password=must_change_password
    )
    if password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise InvalidInput(field_errors={"password": list(exc.messages)}) from None
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=user,
        after=audit.snapshot(user),
        region_code=person.region_id if person else "",
    )
    return user


@transaction.atomic
def change_password(*, user: User, old_password: str | None, new_password: str) -> User:
    if old_password is not None and not user.check_password(old_password):
        raise InvalidInput(field_errors={"old_password": [_("原密码不正确。")]})
    if old_password is not None and old_password == new_password:
        raise InvalidInput(field_errors={"new_password1": [_("新密码不能与原密码相同。")]})
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise InvalidInput(field_errors={"new_password1": list(exc.messages)}) from None
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    audit.record(
        actor=user,
        action=AuditAction.UPDATE,
        obj=user,
        message=_("修改密码"),
        region_code=user.person.region_id if user.person_id and user.person else "",
    )
    return user


def _temporary_password() -> str:
    # Readable over the phone: no 0/O or 1/l/I, and always all four character classes.
    alphabet = "abcdefghjkmnpqrstuvwxyz"
    body = "".join(secrets.choice(alphabet) for _ in range(6))
    return f"{secrets.choice(alphabet.upper())}{body}-{secrets.randbelow(90) + 10}"


@transaction.atomic
def reset_password(*, actor: User | None, user: User) -> str:
    """Give the account a temporary password that must be changed at the next login."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    if actor is not None:
        policies.accounts.check(actor, locked, Action.CHANGE)
    temporary = _temporary_password()
    locked.set_password(temporary)
    locked.must_change_password = True
    locked.save(update_fields=["password", "must_change_password"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        message=_("重置密码"),
        region_code=locked.person.region_id if locked.person_id and locked.person else "",
    )
    return temporary


@transaction.atomic
def set_account_active(*, actor: User | None, user: User, active: bool) -> User:
    locked = User.objects.select_for_update().get(pk=user.pk)
    if actor is not None:
        policies.accounts.check(actor, locked, Action.CHANGE)
        if locked.pk == actor.pk and not active:
            raise InvalidInput(_("不能停用自己正在使用的账号。"))
    if locked.is_active != active:
        locked.is_active = active
        locked.save(update_fields=["is_active"])
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=locked,
            before={"is_active": not active},
            after={"is_active": active},
            region_code=locked.person.region_id if locked.person_id and locked.person else "",
        )
    return locked


@transaction.atomic
def set_large_text(*, user: User, enabled: bool) -> User:
    if user.large_text != enabled:
        user.large_text = enabled
        user.save(update_fields=["large_text"])
        audit.record(
            actor=user,
            action=AuditAction.UPDATE,
            obj=user,
            before={"large_text": not enabled},
            after={"large_text": enabled},
        )
    return user


@transaction.atomic
def grant_role(
    *,
    actor: User | None,
    user: User,
    role: str,
    region: Region,
    organization: Organization | None = None,
) -> RoleGrant:
    if role not in Role.values:
        raise InvalidInput(field_errors={"role": [_("角色不存在。")]})
    if organization is not None and not region.contains_code(organization.region_id):
        raise InvalidInput(field_errors={"organization": [_("机构不在所选管辖区划内。")]})
    if role in ORGANIZATION_ROLES and organization is None:
        raise InvalidInput(field_errors={"organization": [_("该角色必须指定所属机构。")]})
    if actor is not None:
        # Only administrators grant roles, and only inside their own jurisdiction.
        _require(policies.regions.can_in_region(actor, Action.CHANGE, region.code))
    grant, created = RoleGrant.objects.get_or_create(
        user=user,
        role=role,
        region=region,
        organization=organization,
        defaults={"granted_by": actor},
    )
    if created:
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=grant,
            after=audit.snapshot(grant),
            region_code=region.code,
        )
    return grant


@transaction.atomic
def revoke_role(*, actor: User | None, grant: RoleGrant) -> None:
    if actor is not None:
        _require(policies.regions.can_in_region(actor, Action.CHANGE, grant.region_id))
    before = audit.snapshot(grant)
    audit.record(
        actor=actor,
        action=AuditAction.DELETE,
        obj=grant,
        before=before,
        region_code=grant.region_id,
    )
    grant.delete()
