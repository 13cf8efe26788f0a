"""The deputies' workflows for the walk test (tests/core/test_workflow_walk.py): a serving
mandate of the county, moved by the county's office; an import uploaded by the county's
office, confirmed or checked again by it, checked and imported by the system (no actor)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.db import models

from renda.core.models import User
from renda.core.workflow import Step
from renda.deputies.models import DeputyImport, Mandate
from renda.deputies.workflows import by_the_system
from tests.conftest import COUNTY


def saving_also(obj: models.Model, **values: Any) -> models.Model:
    """``obj`` with ``values`` set, and saved with every status the walk moves it to.

    The walk moves objects without the fields a service would save alongside the status;
    where a database constraint ties a field to the state (an ended mandate's end date, an
    upheld dispute's adjustment, an assessed evaluation's grade), the object saves it too.
    """
    for name, value in values.items():
        setattr(obj, name, value)
    save = obj.save

    def save_with(*args: Any, **kwargs: Any) -> None:
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = [*kwargs["update_fields"], *values]
        save(*args, **kwargs)

    obj.save = save_with  # type: ignore[method-assign]
    return obj


def walk_mandate(step: Step, source: str, target: str) -> tuple[Mandate, User]:
    mandate = Mandate.objects.filter(region_id=COUNTY, status=source).order_by("id").first()
    assert mandate is not None
    saving_also(mandate, ended_on=datetime.date(2025, 3, 1), end_reason=str(step.label))
    return mandate, User.objects.get(username="county_office")


def walk_import(step: Step, source: str, target: str) -> tuple[DeputyImport, User | None]:
    office = User.objects.get(username="county_office")
    deputy_import = DeputyImport.objects.create(
        created_by=office,
        region_id=COUNTY,
        # The name of a kept file: checking again needs one (nothing reads it here).
        file="imports/walk.xlsx",
        filename="代表名册.xlsx",
        status=source,
    )
    return deputy_import, None if step.guard is by_the_system else office


WALKERS: dict[str, Callable[[Step, str, str], tuple[Any, Any]]] = {
    "deputies.mandate": walk_mandate,
    "deputies.import": walk_import,
}
