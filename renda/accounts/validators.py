"""Password validators whose messages Django ships untranslated.

Django 5.2's MinimumLengthValidator formats its message with a msgid ("... at least %d
character.") that its own zh_Hans catalogue does not contain (that catalogue still has the
older "%(min_length)d" msgid), so the error would reach users in English.
"""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.utils.translation import gettext as _


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return _("密码太短,至少需要 %(n)d 个字符。") % {"n": self.min_length}

    def get_help_text(self) -> str:
        return _("密码至少需要 %(n)d 个字符。") % {"n": self.min_length}
