"""``Permissions-Policy`` switches off every powerful browser feature because no page uses
one (renda.core.middleware). A page that starts to (a QR scanner with the camera, a map with
the location) must allow it there: this fails first."""

from __future__ import annotations

from pathlib import Path

import renda
from renda.core.middleware import PERMISSIONS_POLICY

USES = {
    "camera": ("getUserMedia", "BarcodeDetector", 'capture="'),
    "microphone": ("getUserMedia",),
    "geolocation": ("navigator.geolocation",),
    "payment": ("PaymentRequest",),
    "usb": ("navigator.usb",),
}


def test_no_page_uses_a_feature_the_policy_denies() -> None:
    root = Path(renda.__file__).parent
    files = [
        p
        for p in root.rglob("*")
        if p.suffix in {".html", ".js"} and "vendor" not in p.parts and p.is_file()
    ]
    assert files
    for feature, markers in USES.items():
        assert f"{feature}=()" in PERMISSIONS_POLICY
        for path in files:
            text = path.read_text(encoding="utf-8", errors="replace")
            for marker in markers:
                assert marker not in text, (feature, path)
