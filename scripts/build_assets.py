#!/usr/bin/env python3
"""Copy the front-end packages installed by ``npm ci`` into ``renda/static/vendor/``.

Renda serves every asset from its own origin (the Content-Security-Policy allows nothing
else), so the minified builds are copied next to our own static files. Run after
``npm ci --no-audit --no-fund``; it is idempotent and needs only the standard library.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
VENDOR = ROOT / "renda" / "static" / "vendor"

# (package, file inside the package, name under vendor/<package>/)
FILES: list[tuple[str, str, str]] = [
    ("htmx.org", "dist/htmx.min.js", "htmx.min.js"),
    ("htmx.org", "LICENSE", "LICENSE"),
    ("echarts", "dist/echarts.min.js", "echarts.min.js"),
    ("echarts", "LICENSE", "LICENSE"),
    ("echarts", "NOTICE", "NOTICE"),
]


def main() -> int:
    missing = [f"{pkg}/{src}" for pkg, src, _ in FILES if not (NODE_MODULES / pkg / src).is_file()]
    if missing:
        print(
            "build_assets: missing "
            + ", ".join(missing)
            + "; run `npm ci --no-audit --no-fund` first.",
            file=sys.stderr,
        )
        return 1
    for pkg, src, dest_name in FILES:
        dest = VENDOR / pkg / dest_name
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(NODE_MODULES / pkg / src, dest)
    print(f"build_assets: copied {len(FILES)} files into {VENDOR.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
