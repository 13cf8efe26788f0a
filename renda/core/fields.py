from __future__ import annotations

from typing import Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper

from renda.core import crypto


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """A text column that holds only ciphertext; the model attribute is the plain value.

    It cannot be filtered on: use the companion blind-index column for exact lookups.
    """

    description = "Text encrypted at rest"

    def from_db_value(
        self, value: str | None, expression: Any, connection: BaseDatabaseWrapper
    ) -> str:
        if not value:
            return ""
        return crypto.decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if not value:
            return ""
        return crypto.encrypt(str(value))
