"""The yearly compilation of suggestions and replies (建议汇编) of one congress as an A4 PDF
rendered by WeasyPrint with the Noto CJK fonts: a cover, a table of contents by category with
page numbers, then each suggestion (number, title, deputies, content) followed by its reply.
Only replies the office published are printed; any other shows "答复未公开", because the
answer and its publication are separate decisions."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from renda.cases.models import Case, Reply
from renda.core.dates import local_date
from renda.core.forms import Form
from renda.core.models import Congress
from renda.core.requests import acting_user
from renda.suggestions import dashboard
from renda.suggestions.models import CoSigner, CoSignerStatus, Suggestion, SuggestionStatus
from renda.suggestions.policies import suggestions as policy
from renda.suggestions.services import SOURCE_TYPE
from renda.web import pdf
from renda.web import services as web_services

# What a compilation prints: the suggestions the office took up (not drafts, returned,
# pending or merged ones).
COMPILED_STATUSES = (
    SuggestionStatus.ACCEPTED,
    SuggestionStatus.CONVERTED,
    SuggestionStatus.ASSIGNED,
)


@dataclass
class Entry:
    suggestion: Suggestion
    deputies: list[str]
    reply: Reply | None


@dataclass
class Section:
    anchor: str
    name: str
    entries: list[Entry] = field(default_factory=list)


@dataclass(frozen=True)
class Compilation:
    congress: Congress
    year: int
    sections: list[Section]

    @property
    def count(self) -> int:
        return sum(len(s.entries) for s in self.sections)


def _year_bounds(year: int) -> tuple[datetime.datetime, datetime.datetime]:
    start = timezone.make_aware(datetime.datetime(year, 1, 1))
    return start, timezone.make_aware(datetime.datetime(year + 1, 1, 1))


def compiled(user: Any, congress: Congress, year: int) -> QuerySet[Suggestion]:
    start, end = _year_bounds(year)
    return (
        policy.filter(
            user,
            Suggestion.objects.filter(
                congress=congress,
                status__in=COMPILED_STATUSES,
                submitted_at__gte=start,
                submitted_at__lt=end,
            ),
        )
        .select_related("mandate__person", "category")
        .order_by("category__position", "category_id", "kind", "session", "number", "id")
    )


def build(user: Any, congress: Congress, year: int) -> Compilation:
    items = list(compiled(user, congress, year))
    ids = [item.pk for item in items]
    names: dict[int, list[str]] = {}
    for suggestion_id, name in (
        CoSigner.objects.filter(suggestion_id__in=ids, status=CoSignerStatus.CONFIRMED)
        .order_by("invited_at", "id")
        .values_list("suggestion_id", "mandate__person__name")
    ):
        names.setdefault(suggestion_id, []).append(name)
    case_ids = dict(
        Case.objects.filter(
            subject_type=SOURCE_TYPE, subject_id__in=[str(i) for i in ids]
        ).values_list("pk", "subject_id")
    )
    # The latest published reply of each case.
    replies: dict[int, Reply] = {}
    for reply in (
        Reply.objects.filter(case_id__in=list(case_ids), published_at__isnull=False)
        .select_related("unit")
        .order_by("case_id", "round")
    ):
        replies[int(case_ids[reply.case_id])] = reply
    sections: dict[int, Section] = {}
    for item in items:
        key = item.category_id or 0
        if key not in sections:
            label = item.category.name if item.category else _("未分类")
            sections[key] = Section(anchor=f"category-{key}", name=label)
        sections[key].entries.append(
            Entry(
                suggestion=item,
                deputies=[item.mandate.person.name, *names.get(item.pk, [])],
                reply=replies.get(item.pk),
            )
        )
    return Compilation(congress=congress, year=year, sections=list(sections.values()))


TEMPLATE = "suggestions/compilation_pdf.html"


def _context(compilation: Compilation) -> dict[str, Any]:
    return {"c": compilation, "generated_at": timezone.localtime()}


def render_html(compilation: Compilation) -> str:
    return pdf.render_html(TEMPLATE, _context(compilation))


def render_pdf(compilation: Compilation) -> bytes:
    # Only the system fonts: the compilation's styles are in its template.
    return pdf.render_pdf(TEMPLATE, _context(compilation))


# Pages ------------------------------------------------------------------------------------------


def congresses_for(user: Any) -> QuerySet[Congress]:
    ids = policy.filter(user, Suggestion.objects.all()).order_by().values("congress_id")
    return Congress.objects.filter(pk__in=ids).order_by("region_id")


def _choices(form: forms.Form, name: str) -> forms.ChoiceField:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    return field


class CompilationForm(Form):
    congress = forms.TypedChoiceField(label=gettext_lazy("人大"), coerce=int)
    year = forms.TypedChoiceField(label=gettext_lazy("年度"), coerce=int)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "congress").choices = [(c.pk, c.name) for c in congresses_for(user)]
        this_year = local_date().year
        _choices(self, "year").choices = [(y, str(y)) for y in range(this_year, this_year - 6, -1)]


def _require(user: Any) -> None:
    if not dashboard.is_staff(user):
        raise PermissionDenied(_("您没有生成建议汇编的权限。"))


@login_required
@require_GET
def compilation_page(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    _require(user)
    form = CompilationForm(request.GET or None, user=user)
    chosen = None
    if form.is_bound and form.is_valid():
        congress = Congress.objects.get(pk=form.cleaned_data["congress"])
        chosen = build(user, congress, form.cleaned_data["year"])
    return render(request, "suggestions/compilation.html", {"form": form, "chosen": chosen})


@login_required
@require_GET
def compilation_pdf(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    _require(user)
    form = CompilationForm(request.GET, user=user)
    if not form.is_valid():
        raise PermissionDenied(_("请选择有权查看的人大和年度。"))
    congress = Congress.objects.get(pk=form.cleaned_data["congress"])
    chosen = build(user, congress, form.cleaned_data["year"])
    content = render_pdf(chosen)
    web_services.record_export(
        actor=user,
        object_type="suggestions.compilation",
        fmt="pdf",
        rows=chosen.count,
        filters={"congress": congress.pk, "year": chosen.year},
        label=_("建议汇编"),
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (
        content_disposition_header(False, f"compilation-{congress.pk}-{chosen.year}.pdf")
        or "inline"
    )
    return response
