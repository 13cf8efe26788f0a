"""Every state change in every app goes through the one mover (renda.core.workflow): no code
in ``renda/`` writes the status field of a workflow model itself.

The scan reads each module's syntax tree (not migrations, not the kit, not the demo-data
loaders ``renda/seed`` and ``renda/bench``, which bulk-load rows in their states) and fails on:

- an assignment to ``<obj>.status`` (the status field of any registered workflow) or
  ``setattr(<obj>, "status", ...)``,
- ``.update(status=...)``, ``.update(**{"status": ...})``, ``.update_or_create(...)`` with the
  status in its arguments or ``defaults``, ``.bulk_update(..., ["status", ...])``,
  ``.save(update_fields=[..., "status"])``,

unless it is plainly about another model: the value written is a member of a status enum no
workflow uses (``CoSignerStatus.CONFIRMED``, ``DeliveryStatus.SENT``), or the object is bound in
the same function to another model (``row = CoSigner.objects...``, ``delivery: Delivery``).
An object whose origin the scan cannot tell counts as a workflow's (for assignments). Creating
an object in its initial state (``objects.create(status=...)``) is not a move.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.apps import apps
from django.db import models

import renda
from renda.core.workflow import workflows

ROOT = Path(renda.__file__).resolve().parent
# Demo data and benchmarks load rows in their states in bulk; the kit is the mover.
SKIPPED_PACKAGES = {"seed", "bench"}
KIT = Path("core/workflow.py")


@dataclass(frozen=True)
class Known:
    workflow_models: frozenset[str]
    other_models: frozenset[str]
    fields: frozenset[str]
    workflow_enums: frozenset[str]
    other_enums: frozenset[str]


def _choices_classes(root: type) -> Iterator[type]:
    for sub in root.__subclasses__():
        yield sub
        yield from _choices_classes(sub)


def _known() -> Known:
    apps.check_apps_ready()
    registered = workflows()
    assert registered, "no workflow registered: the apps' ready() did not run"
    workflow_models = {w.model.__name__ for w in registered}
    states = [
        {value for value, _label in w.model._meta.get_field(w.status_field).flatchoices}
        for w in registered
    ]
    enums = [c for c in _choices_classes(models.Choices) if c.__module__.startswith("renda.")]
    workflow_enums = {c.__name__ for c in enums if {str(v) for v in c.values} in states}
    return Known(
        workflow_models=frozenset(workflow_models),
        other_models=frozenset({m.__name__ for m in apps.get_models()} - workflow_models),
        fields=frozenset({w.status_field for w in registered}),
        workflow_enums=frozenset(workflow_enums),
        other_enums=frozenset({c.__name__ for c in enums} - workflow_enums),
    )


def _modules() -> Iterator[Path]:
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in SKIPPED_PACKAGES or "migrations" in relative.parts:
            continue
        if relative == KIT:
            continue
        yield path


def _strings(node: ast.AST | None) -> set[str]:
    """The string constants of a list, tuple or set literal (or the one string)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return {
            e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)
        }
    return set()


def _dict_keys(node: ast.AST | None) -> set[str]:
    if isinstance(node, ast.Dict):
        return {
            k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)
        }
    return set()


def _keyword(call: ast.Call, name: str) -> ast.AST | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


class _Scope:
    """What the names of one function (or the module) are bound to."""

    def __init__(self, node: ast.AST, returns: dict[str, ast.AST]) -> None:
        self.bindings: dict[str, list[ast.AST]] = {}
        # The module's functions' return annotations: ``row = _own_cosigner(...)``.
        self.returns = returns
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            arguments = node.args
            for arg in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]:
                if arg.annotation is not None:
                    self._bind(arg.arg, arg.annotation)
        for child in _own_nodes(node):
            if isinstance(child, ast.Assign):
                for target in child.targets:
                    self._bind_target(target, child.value)
            elif isinstance(child, ast.AnnAssign) and isinstance(child.target, ast.Name):
                self._bind(child.target.id, child.annotation)
                if child.value is not None:
                    self._bind(child.target.id, child.value)
            elif isinstance(child, ast.For | ast.AsyncFor):
                self._bind_target(child.target, child.iter)
            elif isinstance(child, ast.With | ast.AsyncWith):
                for item in child.items:
                    if item.optional_vars is not None:
                        self._bind_target(item.optional_vars, item.context_expr)

    def _bind(self, name: str, value: ast.AST) -> None:
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            try:
                value = ast.parse(value.value, mode="eval").body
            except SyntaxError:
                return
        self.bindings.setdefault(name, []).append(value)

    def _bind_target(self, target: ast.AST, value: ast.AST) -> None:
        if isinstance(target, ast.Name):
            self._bind(target.id, value)
        elif isinstance(target, ast.Tuple | ast.List):
            # ``row, created = Model.objects.get_or_create(...)``: each name comes from it.
            for element in target.elts:
                self._bind_target(element, value)
        elif isinstance(target, ast.Starred):
            self._bind_target(target.value, value)

    def enums(self, node: ast.AST, known: Known, depth: int = 0) -> set[str]:
        """The choices enums whose members ``node`` refers to (following local names)."""
        found: set[str] = set()
        for part in ast.walk(node):
            if isinstance(part, ast.Attribute) and isinstance(part.value, ast.Name):
                if part.value.id in known.workflow_enums | known.other_enums:
                    found.add(part.value.id)
            elif isinstance(part, ast.Name) and depth < 3:
                for value in self.bindings.get(part.id, []):
                    found |= self.enums(value, known, depth + 1)
        return found

    def models_of(self, node: ast.AST, known: Known, depth: int = 0) -> set[str]:
        """The models the object ``node`` may be an instance (or queryset) of: where its
        attribute chain starts (``Invitation.objects...``), or what that name is bound to."""
        if depth > 3:
            return set()
        if isinstance(node, ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp):
            return set().union(*(self.models_of(g.iter, known, depth) for g in node.generators))
        if isinstance(node, ast.IfExp):
            return self.models_of(node.body, known, depth) | self.models_of(
                node.orelse, known, depth
            )
        if isinstance(node, ast.BoolOp):
            return set().union(*(self.models_of(v, known, depth) for v in node.values))
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):  # X | None
            return self.models_of(node.left, known, depth) | self.models_of(
                node.right, known, depth
            )
        root = _receiver(node)
        if not isinstance(root, ast.Name):
            return set()
        if root.id in known.workflow_models | known.other_models:
            return {root.id}
        if root.id in self.returns and root.id not in self.bindings:
            return self.models_of(self.returns[root.id], known, depth + 1)
        return set().union(
            *(self.models_of(v, known, depth + 1) for v in self.bindings.get(root.id, []))
        )


def _own_nodes(node: ast.AST) -> Iterator[ast.AST]:
    """The nodes of ``node``'s body, not descending into nested functions and classes."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            continue
        yield child
        yield from _own_nodes(child)


def _scopes(tree: ast.Module) -> Iterator[ast.AST]:
    yield tree
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            yield node


def _receiver(node: ast.AST) -> ast.AST:
    """The object an attribute chain starts from: ``locked`` in ``locked.status``."""
    while isinstance(node, ast.Attribute | ast.Call | ast.Subscript):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node


def _judge(
    scope: _Scope, known: Known, obj: ast.AST, value: ast.AST | None, *, unknown: bool
) -> bool:
    """Whether writing ``value`` to the status of ``obj`` is a workflow's move."""
    enums = scope.enums(value, known) if value is not None else set()
    if enums & known.workflow_enums:
        return True
    if enums and enums <= known.other_enums:
        return False
    found = scope.models_of(_receiver(obj), known)
    if found & known.workflow_models:
        return True
    if found:
        return False
    return unknown


def inline_moves(source: str, known: Known) -> list[tuple[int, str]]:
    """(line, what) for every write of a workflow's status outside the mover in ``source``."""
    tree = ast.parse(source)
    found: list[tuple[int, str]] = []
    fields = known.fields
    returns: dict[str, ast.AST] = {
        node.name: node.returns
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.returns is not None
    }
    for scope_node in _scopes(tree):
        scope = _Scope(scope_node, returns)
        for node in _own_nodes(scope_node):
            if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                pending = list(targets)
                while pending:
                    target = pending.pop()
                    if isinstance(target, ast.Tuple | ast.List):
                        pending.extend(target.elts)
                    elif isinstance(target, ast.Starred):
                        pending.append(target.value)
                    elif isinstance(target, ast.Attribute) and target.attr in fields:
                        value = node.value if not isinstance(target, ast.Tuple) else None
                        if _judge(scope, known, target.value, value, unknown=True):
                            found.append((node.lineno, f"assigns .{target.attr}"))
                continue
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Name) and func.id == "setattr" and len(node.args) >= 3:
                if _strings(node.args[1]) & fields and _judge(
                    scope, known, node.args[0], node.args[2], unknown=True
                ):
                    found.append((node.lineno, "setattr of the status"))
                continue
            if not isinstance(func, ast.Attribute):
                continue
            method = func.attr
            if method in ("update", "update_or_create"):
                written = [k.value for k in node.keywords if k.arg in fields]
                for k in node.keywords:
                    if k.arg is None or k.arg == "defaults":
                        for key, value in zip(
                            getattr(k.value, "keys", []),
                            getattr(k.value, "values", []),
                            strict=False,
                        ):
                            if isinstance(key, ast.Constant) and key.value in fields:
                                written.append(value)
                if any(_judge(scope, known, func.value, v, unknown=False) for v in written):
                    found.append((node.lineno, f".{method}() of the status"))
            elif method == "bulk_update":
                listed = _strings(node.args[1]) if len(node.args) > 1 else set()
                listed |= _strings(_keyword(node, "fields"))
                if listed & fields and _judge(scope, known, func.value, None, unknown=True):
                    found.append((node.lineno, ".bulk_update() of the status"))
            elif (
                method == "save"
                and _strings(_keyword(node, "update_fields")) & fields
                and _judge(scope, known, func.value, None, unknown=True)
            ):
                found.append((node.lineno, ".save(update_fields=) with the status"))
    return sorted(found)


def test_no_status_is_written_outside_the_mover() -> None:
    known = _known()
    problems = [
        f"{path.relative_to(ROOT.parent)}:{line}: {what}"
        for path in _modules()
        for line, what in inline_moves(path.read_text(encoding="utf-8"), known)
    ]
    assert not problems, "status changed outside Workflow.move:\n" + "\n".join(problems)


PRELUDE = (
    "from renda.duties.models import AttendanceStatus, DutyRecord, Invitation\n"
    "from renda.suggestions.models import CoSigner, CoSignerStatus\n"
)


@pytest.mark.parametrize(
    "snippet",
    [
        "case.status = CaseStatus.CLOSED",
        "locked.status, x = 'done', 1",
        "def f(invitation: Invitation, status: str):\n    invitation.status = status",
        "def f(pk):\n    locked = DutyRecord.objects.get(pk=pk)\n    locked.status = to",
        "def f(row):\n    row.status = AttendanceStatus.ABSENT",
        "setattr(mandate, 'status', 'resigned')",
        "Invitation.objects.filter(pk__in=ids).update(status='absent')",
        "Invitation.objects.filter(pk__in=ids).update(**{'status': 'absent'})",
        "def f():\n    rows = Invitation.objects.filter(x=1)\n    rows.update(status=s)",
        "DutyRecord.objects.update_or_create(pk=1, defaults={'status': 'confirmed'})",
        "DutyRecord.objects.bulk_update(rows, ['status', 'title'])",
        "DutyRecord.objects.bulk_update(rows, fields=('status',))",
        "record.save(update_fields=['status'])",
    ],
)
def test_the_scan_catches_an_inline_move(snippet: str) -> None:
    assert inline_moves(PRELUDE + snippet + "\n", _known()), snippet


@pytest.mark.parametrize(
    "snippet",
    [
        # Creating in the initial state, reading, comparing, filtering: not moves.
        "Invitation.objects.create(activity=a, mandate=m, status='invited')",
        "if invitation.status == 'attended':\n    pass",
        "Invitation.objects.filter(status='invited').update(reminded_at=now)",
        "locked.status_before_request = locked.status",
        "by_status[g.status] = by_status.get(g.status, 0) + g.total",
        "DutyRecord.objects.get_or_create(pk=1, defaults={'status': 'confirmed'})",
        # Another model's status.
        "def f(pk):\n    row = CoSigner.objects.get(pk=pk)\n    row.status = new\n"
        "    row.save(update_fields=['status'])",
        "def f(accept):\n    new = CoSignerStatus.CONFIRMED if accept else CoSignerStatus.DECLINED\n"
        "    row.status = new",
        "delivery.status = DeliveryStatus.SENT",
        "def own() -> CoSigner:\n    pass\ndef f():\n    row = own()\n    row.status = new",
        "def f():\n    result = {'status': 'ok'}\n    result.update(status='error')",
    ],
)
def test_the_scan_lets_reads_creations_and_other_models_pass(snippet: str) -> None:
    assert inline_moves(PRELUDE + snippet + "\n", _known()) == [], snippet


def test_the_known_enums_and_models() -> None:
    known = _known()
    assert {"AttendanceStatus", "ImportStatus", "CaseStatus", "MandateStatus"} <= set(
        known.workflow_enums
    )
    assert {"CoSignerStatus", "DeliveryStatus"} <= set(known.other_enums)
    assert {"Invitation", "DeputyImport", "Case", "Suggestion"} <= set(known.workflow_models)
