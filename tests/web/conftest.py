from __future__ import annotations

from html.parser import HTMLParser
from typing import Any


class TagCollector(HTMLParser):
    """Collects script tags, style blocks, style attributes and inline event handlers."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict[str, Any]] = []
        self.style_blocks = 0
        self.style_attributes: list[str] = []
        self.handlers: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "script":
            self.scripts.append(attributes)
        if tag == "style":
            self.style_blocks += 1
        if "style" in attributes:
            self.style_attributes.append(tag)
        self.handlers += [name for name in attributes if name.startswith("on")]


def inline_violations(html: str) -> list[str]:
    """What the Content-Security-Policy would block: executable inline script, inline styles."""
    parser = TagCollector()
    parser.feed(html)
    problems = [
        f"inline <script> {attrs}"
        for attrs in parser.scripts
        # json_script data blocks are not executed and the CSP does not apply to them.
        if not attrs.get("src") and attrs.get("type") != "application/json"
    ]
    if parser.style_blocks:
        problems.append(f"{parser.style_blocks} <style> block(s)")
    problems += [f"style= on <{tag}>" for tag in parser.style_attributes]
    problems += [f"inline handler {name}" for name in parser.handlers]
    return problems
