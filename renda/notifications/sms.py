"""SMS gateway backends, chosen by ``settings.SMS_BACKEND``.

- ``console``: writes the message to the log (development).
- ``file``: appends one JSON line per message to ``SMS_FILE_PATH`` (development, demos, tests).
- ``http``: posts to an operator's gateway at ``SMS_GATEWAY_URL``.

HTTP gateway protocol (what a gateway adapter must implement)::

    POST SMS_GATEWAY_URL
    Content-Type: application/json; charset=utf-8
    X-Renda-Timestamp: <unix seconds>
    X-Renda-Signature: <hex HMAC-SHA256 of "<timestamp>.<raw body>" under SMS_GATEWAY_KEY>

    {"phone": "13800000000", "sign_name": "智慧人大", "template_id": "SMS_001",
     "params": {"title": "..."}, "reference": "renda-delivery-42"}

It answers 2xx with ``{"code": "OK", "message_id": "..."}``; any other status or code is a
failure. ``reference`` is stable across retries of one delivery so the gateway can drop
duplicates if a response was lost after the message went out.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from renda.core.crypto import mask_phone
from renda.core.logging import get_logger

log = get_logger(__name__)

SIGNATURE_HEADER = "X-Renda-Signature"
TIMESTAMP_HEADER = "X-Renda-Timestamp"


@dataclass(frozen=True)
class SmsMessage:
    phone: str
    kind: str
    template_id: str
    params: dict[str, Any]
    # Plain text for backends without templates (console, file) and for operators reading logs.
    text: str
    reference: str
    sign_name: str = field(default_factory=lambda: str(settings.SMS_SIGN_NAME))


class SmsError(Exception):
    """Sending failed. ``permanent`` failures are not retried (a retry cannot succeed)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


def sign(key: str, timestamp: str, body: bytes) -> str:
    return hmac.new(key.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


class BaseBackend:
    def send(self, message: SmsMessage) -> str:
        """Send the message; return the provider's message id or raise ``SmsError``."""
        raise NotImplementedError


class ConsoleBackend(BaseBackend):
    def send(self, message: SmsMessage) -> str:
        message_id = f"console-{uuid.uuid4().hex[:16]}"
        # The log gets the masked number: logs are kept longer and read by more people.
        log.info(
            "sms.console",
            phone=mask_phone(message.phone),
            sign_name=message.sign_name,
            template_id=message.template_id,
            text=message.text,
            reference=message.reference,
            message_id=message_id,
        )
        return message_id


_file_lock = threading.Lock()


class FileBackend(BaseBackend):
    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path or settings.SMS_FILE_PATH)

    def send(self, message: SmsMessage) -> str:
        message_id = f"file-{uuid.uuid4().hex[:16]}"
        line = json.dumps(
            {
                "at": timezone.now().isoformat(),
                "message_id": message_id,
                "phone": message.phone,
                "sign_name": message.sign_name,
                "template_id": message.template_id,
                "kind": message.kind,
                "params": message.params,
                "text": message.text,
                "reference": message.reference,
            },
            ensure_ascii=False,
        )
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # One write of one whole line in append mode, so concurrent workers never interleave.
            with _file_lock, self.path.open("a", encoding="utf-8") as fh:
                fh.write(line + "\n")
        except OSError as exc:
            raise SmsError(f"cannot write {self.path}: {exc}") from exc
        return message_id


class HttpGatewayBackend(BaseBackend):
    def __init__(
        self,
        url: str | None = None,
        key: str | None = None,
        timeout: float | None = None,
    ) -> None:
        self.url = url if url is not None else settings.SMS_GATEWAY_URL
        self.key = key if key is not None else settings.SMS_GATEWAY_KEY
        self.timeout = timeout if timeout is not None else float(settings.SMS_TIMEOUT)

    def send(self, message: SmsMessage) -> str:
        if not self.url.startswith(("http://", "https://")):
            raise SmsError("SMS_GATEWAY_URL is not an http(s) URL", permanent=True)
        if not self.key:
            raise SmsError("SMS_GATEWAY_KEY is not set", permanent=True)
        if not message.template_id:
            raise SmsError(
                f"no SMS template id for kind {message.kind!r} in SMS_TEMPLATE_IDS", permanent=True
            )
        body = json.dumps(
            {
                "phone": message.phone,
                "sign_name": message.sign_name,
                "template_id": message.template_id,
                "params": message.params,
                "reference": message.reference,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode()
        timestamp = str(int(time.time()))
        request = urllib.request.Request(  # noqa: S310 - scheme checked above
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Accept": "application/json",
                TIMESTAMP_HEADER: timestamp,
                SIGNATURE_HEADER: sign(self.key, timestamp, body),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                status = response.status
                raw = response.read(65536)
        except urllib.error.HTTPError as exc:
            # A 4xx other than timeout/throttling means the request itself is wrong.
            permanent = 400 <= exc.code < 500 and exc.code not in (408, 425, 429)
            detail = exc.read(500).decode("utf-8", "replace")
            raise SmsError(f"gateway HTTP {exc.code}: {detail}", permanent=permanent) from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise SmsError(f"gateway unreachable: {reason}") from exc
        if not 200 <= status < 300:
            raise SmsError(f"gateway HTTP {status}")
        try:
            payload = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise SmsError("gateway answered with a body that is not JSON") from exc
        if not isinstance(payload, dict) or payload.get("code") != "OK":
            code = payload.get("code") if isinstance(payload, dict) else None
            text = payload.get("message", "") if isinstance(payload, dict) else ""
            raise SmsError(f"gateway refused: code={code!r} {text}".strip())
        return str(payload.get("message_id") or payload.get("biz_id") or "")


_BACKENDS: dict[str, type[BaseBackend]] = {
    "console": ConsoleBackend,
    "file": FileBackend,
    "http": HttpGatewayBackend,
}


def get_backend() -> BaseBackend:
    """The configured backend, built per call so settings overrides take effect at once."""
    name = str(settings.SMS_BACKEND)
    cls = _BACKENDS.get(name)
    if cls is None:
        # A dotted path lets a deployment plug in its own adapter class.
        cls = import_string(name)
    return cls()


def template_id(kind: str) -> str:
    ids: dict[str, str] = settings.SMS_TEMPLATE_IDS
    return str(ids.get(kind) or ids.get("default") or "")
