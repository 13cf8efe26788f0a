"""Pages of the points system: a deputy's breakdown for a year, disputes and their decision,
the rule table with its versions, the yearly evaluation form and the printable archive.
Views stay thin: reads through the selectors, writes through the services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from renda.core.errors import NotFound, NotPermitted, RendaError
from renda.core.requests import acting_user, show_service_errors
from renda.deputies import selectors as deputy_selectors
from renda.points import archive, policies, selectors, services
from renda.points.forms import (
    AssessForm,
    DecideForm,
    DisputeForm,
    RuleFilterForm,
    RuleTableForm,
    SelfAssessmentForm,
)
from renda.points.models import DisputeStatus, EvaluationStatus
from renda.web import services as web_services

PER_PAGE = 20
FIRST_YEAR = 2000
LAST_YEAR = 2100


def _year(year: int) -> int:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise NotFound()
    return year


def _this_year() -> int:
    return timezone.localdate().year


# The deputy's own ------------------------------------------------------------------------------


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """A deputy's mandates with this year's points, breakdown, evaluation and archive."""
    user = acting_user(request)
    year = _this_year()
    rows = [
        {
            "mandate": m,
            "points": selectors.year_points(m, year),
            "tenure_days": selectors.tenure_days(m, year),
        }
        for m in selectors.own_mandates(user)
    ]
    return render(request, "points/mine.html", {"rows": rows, "year": year})


@login_required
@require_GET
def breakdown(request: HttpRequest, mandate_id: int, year: int) -> HttpResponse:
    user = acting_user(request)
    result = selectors.breakdown(user, mandate_id, _year(year))
    years = selectors.term_years(result.mandate)
    return render(
        request,
        "points/breakdown.html",
        {
            "b": result,
            "years": years,
            "is_own": result.mandate.person_id == user.person_id,
            "evaluation": selectors.evaluation(user, result.mandate, year),
        },
    )


# Disputes ------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def dispute_new(request: HttpRequest, entry_id: int) -> HttpResponse:
    user = acting_user(request)
    try:
        entry = selectors.entry_for_dispute(user, entry_id)
    except NotPermitted as exc:
        # The site's 403 page is generic; this refusal must say why, in plain words.
        return render(request, "points/refused.html", {"message": exc.message}, status=403)
    form = DisputeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            dispute = services.file_dispute(
                actor=user, entry=entry, reason=form.cleaned_data["reason"]
            )
        except RendaError as exc:
            show_service_errors(form, exc)
        else:
            messages.success(request, _("申诉已提交,人大机关处理后会通知您。"))
            return redirect("points:dispute", dispute.pk)
    return render(
        request,
        "points/dispute_new.html",
        {
            "form": form,
            "entry": entry,
            "url": selectors.source_url(entry),
            "title": selectors.source_title(entry),
        },
    )


@login_required
@require_GET
def dispute_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    if not policies.disputes.allows_anywhere(user, policies.DECIDE):
        raise PermissionDenied(_("只有人大机关工作人员可以处理积分申诉。"))
    status = request.GET.get("status", DisputeStatus.OPEN)
    if status not in DisputeStatus.values:
        status = DisputeStatus.OPEN
    page = Paginator(selectors.disputes_to_decide(user, status), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "points/disputes.html",
        {"page": page, "status": status, "statuses": DisputeStatus.choices},
    )


@login_required
@require_http_methods(["GET", "POST"])
def dispute_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    dispute = selectors.dispute(user, pk)
    can_decide = bool({"uphold", "reject"} & selectors.dispute_actions(user, dispute))
    form = (
        DecideForm(request.POST or None, disputed_points=dispute.disputed_points)
        if can_decide
        else None
    )
    if request.method == "POST":
        if form is None:
            raise NotPermitted()
        if form.is_valid():
            try:
                services.decide_dispute(
                    actor=user,
                    dispute=dispute,
                    uphold=form.cleaned_data["outcome"] == DecideForm.UPHOLD,
                    adjustment=form.cleaned_data["adjustment"],
                    decision=form.cleaned_data["decision"],
                )
            except RendaError as exc:
                show_service_errors(form, exc)
            else:
                messages.success(request, _("已处理申诉并通知代表。"))
                return redirect("points:dispute", dispute.pk)
    return render(
        request,
        "points/dispute_detail.html",
        {
            "dispute": dispute,
            "form": form,
            "source_title": dispute.record.title
            if dispute.record_id and dispute.record
            else dispute.invitation.activity.title
            if dispute.invitation
            else "",
            "can_list": policies.disputes.allows_anywhere(user, policies.DECIDE),
        },
    )


# Rule tables ---------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def rules(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    congresses = list(selectors.rule_congresses(user))
    if not congresses:
        raise PermissionDenied(_("只有人大机关工作人员和领导可以查看积分规则。"))
    this_year = _this_year()
    years = list(range(this_year + 1, this_year - 5, -1))
    filters = RuleFilterForm(
        request.GET or None,
        congresses=[(c.pk, c.name) for c in congresses],
        years=years,
        initial={"congress": congresses[0].pk, "year": this_year},
    )
    congress, year = congresses[0], this_year
    if filters.is_bound and filters.is_valid():
        congress = next(c for c in congresses if c.pk == filters.cleaned_data["congress"])
        year = filters.cleaned_data["year"]
    # Read only: a year nobody has revised or scored shows the unsaved default table.
    current = selectors.current_rule_set(congress, year)
    can_change = selectors.can_change_rules(user, current)
    form: RuleTableForm | None = None
    if can_change:
        form = RuleTableForm(
            request.POST if request.method == "POST" else None,
            rules=selectors.rules_of(current),
        )
    if request.method == "POST":
        if form is None:
            raise NotPermitted()
        if form.is_valid():
            # The default table is written now, when it is changed.
            current = services.ensure_rule_set(congress=congress, year=year)
            # The version the page was drawn from: if someone revised the table in between,
            # the service refuses rather than silently overwriting their change.
            posted = request.POST.get("rule_set", "")
            target = selectors.rule_set_to_change(congress, year, posted) or current
            try:
                services.change_rules(
                    actor=user,
                    rule_set=target,
                    changes=form.changes(),
                    note=form.cleaned_data["note"],
                )
            except RendaError as exc:
                show_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("已保存新版本规则,正在按新规则重新计算本年度积分,稍后刷新即可看到结果。"),
                )
                return redirect(f"{request.path}?congress={congress.pk}&year={year}")
    return render(
        request,
        "points/rules.html",
        {
            "filters": filters,
            "congress": congress,
            "year": year,
            "current": current,
            "rules": selectors.rules_of(current),
            "form": form,
            "versions": selectors.rule_versions(user, congress, year),
        },
    )


# Evaluations ---------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def evaluation(request: HttpRequest, mandate_id: int, year: int) -> HttpResponse:
    user = acting_user(request)
    mandate = deputy_selectors.mandate(user, mandate_id)
    year = _year(year)
    current = selectors.evaluation(user, mandate, year)
    status = current.status if current else EvaluationStatus.DRAFT
    actions = selectors.evaluation_actions(user, mandate, current)
    self_form: SelfAssessmentForm | None = None
    assess_form: AssessForm | None = None
    if "submit" in actions:
        self_form = SelfAssessmentForm(
            request.POST if request.method == "POST" else None,
            initial={"self_assessment": current.self_assessment if current else ""},
        )
    if current is not None and actions & {"assess", "return"}:
        assess_form = AssessForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        try:
            if self_form is not None:
                if self_form.is_valid():
                    services.save_self_assessment(
                        actor=user,
                        mandate=mandate,
                        year=year,
                        text=self_form.cleaned_data["self_assessment"],
                        submit="submit" in request.POST,
                    )
                    messages.success(
                        request,
                        _("自评已提交,等待人大机关评价。")
                        if "submit" in request.POST
                        else _("自评已保存,可继续修改后再提交。"),
                    )
                    return redirect("points:evaluation", mandate.pk, year)
            elif assess_form is not None and current is not None:
                if assess_form.is_valid():
                    data = assess_form.cleaned_data
                    if "return" in request.POST:
                        services.return_evaluation(
                            actor=user, evaluation=current, reason=data["office_assessment"]
                        )
                        messages.success(request, _("已退回代表修改自评。"))
                    else:
                        services.assess_evaluation(
                            actor=user,
                            evaluation=current,
                            office_assessment=data["office_assessment"],
                            grade=data["grade"],
                        )
                        messages.success(request, _("已保存评价结果并通知代表。"))
                    return redirect("points:evaluation", mandate.pk, year)
            else:
                raise NotPermitted()
        except RendaError as exc:
            form = self_form if self_form is not None else assess_form
            if form is None:
                raise
            show_service_errors(form, exc)
    return render(
        request,
        "points/evaluation.html",
        {
            "mandate": mandate,
            "year": year,
            "evaluation": current,
            "status_label": EvaluationStatus(status).label,
            "points": selectors.year_points(mandate, year),
            "tenure_days": selectors.tenure_days(mandate, year),
            "self_form": self_form,
            "assess_form": assess_form,
            "years": selectors.term_years(mandate),
        },
    )


@login_required
@require_GET
def evaluation_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    if not policies.evaluations.allows_anywhere(user, policies.ASSESS):
        raise PermissionDenied(_("只有人大机关工作人员可以评价代表履职。"))
    page = Paginator(selectors.evaluations_to_assess(user), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "points/evaluations.html", {"page": page})


# The archive -----------------------------------------------------------------------------------------


def _pdf(
    request: HttpRequest, mandate_id: int, years: list[int] | None, label: str
) -> HttpResponse:
    user = acting_user(request)
    mandate = deputy_selectors.mandate(user, mandate_id)
    whole_term = years is None
    chosen = selectors.term_years(mandate) if years is None else years
    content = archive.render_pdf(user, mandate, chosen, whole_term=whole_term)
    web_services.record_export(
        actor=user,
        object_type="points.archive",
        fmt="pdf",
        rows=1,
        filters={"mandate": mandate.pk, "years": ",".join(map(str, chosen))},
        label=_("%(name)s 履职档案") % {"name": mandate.person.name},
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (
        content_disposition_header(False, f"履职档案-{mandate.person.name}-{label}.pdf") or "inline"
    )
    return response


@login_required
@require_GET
def archive_year(request: HttpRequest, mandate_id: int, year: int) -> HttpResponse:
    return _pdf(request, mandate_id, [_year(year)], str(year))


@login_required
@require_GET
def archive_term(request: HttpRequest, mandate_id: int) -> HttpResponse:
    return _pdf(request, mandate_id, None, _("本届"))
