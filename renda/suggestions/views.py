"""Pages of suggestions and motions: the deputy's list, the write form (drafts, submission,
attachments, similar earlier suggestions while typing, co-signer invitations), the detail page
with its timeline, the co-signer's confirm page, joining a similar suggestion (附议), and the
office's review queue, review page and the presidium's decision on motions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from renda.cases import forms as case_forms
from renda.core.errors import InvalidInput, RendaError
from renda.core.requests import acting_user, show_service_errors, wants_partial
from renda.deputies.models import Mandate
from renda.suggestions import selectors, services
from renda.suggestions.forms import (
    AssignForm,
    BatchAssignForm,
    FilterForm,
    MergeForm,
    PresidiumForm,
    ReviewForm,
    SuggestionForm,
)
from renda.suggestions.models import Suggestion, SuggestionAttachment
from renda.suggestions.selectors import Filters
from renda.suggestions.workflows import workflow

PER_PAGE = 20


@login_required
@require_GET
@vary_on_headers("HX-Request")
def suggestion_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    form = FilterForm(request.GET or None)
    filters = Filters(q=form.value("q") or "", status=form.value("status"), kind=form.value("kind"))
    ids = selectors.suggestions(user, filters).values_list("pk", flat=True)
    rows = selectors.SearchIds(ids) if filters.q.strip() else ids
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    context: dict[str, Any] = {
        "form": form,
        "page": page,
        "items": selectors.in_order(list(page.object_list)),
        "filtered": bool(filters.q.strip() or filters.status or filters.kind),
    }
    if wants_partial(request):
        # The live filter swaps only the results: the header's buttons stay as they were.
        return render(request, "suggestions/list.html#results", context)
    context["can_write"] = selectors.can_write(user)
    context["review_count"] = selectors.review_queue(user).count()
    return render(request, "suggestions/list.html", context)


@login_required
@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    page = Paginator(selectors.review_queue(user), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request, "suggestions/review_queue.html", {"page": page, "items": list(page.object_list)}
    )


def _form(
    request: HttpRequest,
    user: Any,
    data: Any = None,
    files: Any = None,
    item: Suggestion | None = None,
    initial: dict[str, Any] | None = None,
) -> SuggestionForm:
    if item is not None:
        own = item.mandate.person_id == user.person_id
        return SuggestionForm(data, files, initial=initial, mandates=[item.mandate], own=own)
    own_mandates = selectors.own_mandates(user)
    if own_mandates:
        return SuggestionForm(data, files, mandates=own_mandates, own=True)
    chosen = (data or {}).get("mandate", "")
    mandates = selectors.entry_mandates(user, q=request.GET.get("q", ""), chosen=chosen)
    return SuggestionForm(data, files, mandates=mandates, own=False)


def _save(
    request: HttpRequest, user: Any, form: SuggestionForm, item: Suggestion | None
) -> HttpResponse | None:
    """Save (and submit, for the submit button); None when errors are shown on the form."""
    submit = request.POST.get("action") == "submit"
    try:
        saved = services.save(
            actor=user,
            mandate=form.chosen_mandate(),
            data=form.suggestion_input(),
            attachments=form.cleaned_data["attachments"],
            suggestion=item,
            submit=submit,
            submission_key=form.cleaned_data.get("submission_key") or "",
        )
    except services.SignersMissing as exc:
        messages.warning(request, _("草稿已保存,尚未提交。") + exc.message)
        return redirect("suggestions:detail", pk=exc.suggestion.pk)
    except RendaError as exc:
        show_service_errors(form, exc)
        return None
    if submit:
        messages.success(
            request, _("已提交,编号为%(label)s,等待人大机关审查。") % {"label": saved.number_label}
        )
    else:
        messages.success(request, _("草稿已保存。可以邀请代表附议,或稍后提交。"))
    return redirect("suggestions:detail", pk=saved.pk)


@login_required
@require_http_methods(["GET", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    if not selectors.can_write(user):
        raise PermissionDenied(_("您没有提出议案建议的权限。"))
    if request.method == "POST":
        form = _form(request, user, request.POST, request.FILES)
        if form.is_valid():
            done = _save(request, user, form, None)
            if done is not None:
                return done
    else:
        form = _form(request, user)
    return render(
        request,
        "suggestions/form.html",
        {
            "form": form,
            "own": bool(selectors.own_mandates(user)),
            "q": request.GET.get("q", ""),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    item = selectors.suggestion(user, pk)
    if not selectors.can_change(user, item):
        # The second click of a double-clicked submit finds it already submitted: no error.
        if not (
            request.method == "POST"
            and request.POST.get("action") == "submit"
            and item.submitted_at is not None
        ):
            messages.error(request, _("只有草稿和退回修改的议案建议可以修改。"))
        return redirect("suggestions:detail", pk=item.pk)
    if request.method == "POST":
        data = request.POST.copy()
        data["mandate"] = str(item.mandate_id)
        form = _form(request, user, data, request.FILES, item=item)
        if form.is_valid():
            done = _save(request, user, form, item)
            if done is not None:
                return done
    else:
        form = _form(
            request,
            user,
            item=item,
            initial={
                "mandate": str(item.mandate_id),
                "kind": item.kind,
                "session": str(item.session),
                "title": item.title,
                "content": item.content,
                "category": str(item.category_id or ""),
                "delegation": bool(item.delegation_id),
            },
        )
    return render(request, "suggestions/form.html", {"form": form, "item": item, "own": True})


@login_required
@require_POST
def similar(request: HttpRequest) -> HttpResponse:
    """The htmx panel beside the form: earlier suggestions like what is being typed."""
    user = acting_user(request)
    mandate_id = request.POST.get("mandate", "")
    mandate = selectors.entry_mandate(user, int(mandate_id)) if mandate_id.isdigit() else None
    found: list[selectors.Similar] = []
    if mandate is not None:
        text = f"{request.POST.get('title', '')}\n{request.POST.get('content', '')}"
        exclude = request.POST.get("item", "")
        found = selectors.similar(
            congress_id=mandate.term.congress_id,
            text=text,
            exclude=int(exclude) if exclude.isdigit() else None,
        )
    return render(request, "suggestions/_similar.html", {"similar": found})


@login_required
@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    item = selectors.suggestion(user, pk)
    if request.method == "POST":
        # The detail page's one form: submit the draft.
        try:
            services.submit(actor=user, suggestion=item)
        except RendaError as exc:
            messages.error(request, exc.summary)
        else:
            item.refresh_from_db()
            messages.success(
                request,
                _("已提交,编号为%(label)s,等待人大机关审查。") % {"label": item.number_label},
            )
        return redirect("suggestions:detail", pk=item.pk)
    # The page offers exactly the steps the suggestion workflow allows this user now.
    actions = workflow.available_actions(user, item)
    can_change = "submit" in actions
    return render(
        request,
        "suggestions/detail.html",
        {
            "item": item,
            "events": selectors.events(item),
            "cosigners": selectors.cosigners(item),
            "attachments": list(item.attachments.all()),
            "can_change": can_change,
            "can_review": selectors.can_review(user, item),
            "can_start_review": "accept" in actions,
            "can_presidium": "presidium" in actions,
            "can_assign": "assign" in actions,
            "invitation": selectors.my_invitation(user, item),
            "missing": selectors.missing_signers(item) if can_change else 0,
            "candidates": selectors.cosigner_candidates(item, request.GET.get("q", ""))
            if can_change
            else [],
            "q": request.GET.get("q", ""),
            "case_panel": case_forms.case_panel(user, services.SOURCE_TYPE, str(item.pk)),
        },
    )


@login_required
@require_POST
def invite(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    item = selectors.suggestion(user, pk)
    ids = [int(v) for v in request.POST.getlist("mandates") if v.isdigit()]
    chosen = list(Mandate.objects.filter(pk__in=ids).select_related("person", "term"))
    try:
        count = services.invite_cosigners(actor=user, suggestion=item, mandates=chosen)
    except RendaError as exc:
        errors = getattr(exc, "field_errors", {}) or {}
        for problem in [m for ms in errors.values() for m in ms] or [exc.message]:
            messages.error(request, problem)
    else:
        messages.success(request, _("已邀请 %(n)d 位代表附议,等待他们确认。") % {"n": count})
    return redirect("suggestions:detail", pk=item.pk)


@login_required
@require_http_methods(["GET", "POST"])
def cosign(request: HttpRequest, pk: int) -> HttpResponse:
    """The invited deputy's page: read the suggestion, confirm or decline co-signing."""
    user = acting_user(request)
    item, row = selectors.for_cosigner(user, pk)
    if request.method == "POST":
        accept = request.POST.get("answer") == "confirm"
        try:
            row = services.respond(actor=user, suggestion=item, accept=accept)
        except RendaError as exc:
            messages.error(request, exc.summary)
        else:
            messages.success(request, _("已确认附议。") if accept else _("已谢绝附议。"))
        return redirect("suggestions:cosign", pk=item.pk)
    return render(request, "suggestions/cosign.html", {"item": item, "row": row})


@login_required
@require_http_methods(["GET", "POST"])
def join(request: HttpRequest, pk: int) -> HttpResponse:
    """附议: join a similar earlier suggestion as co-signer instead of writing a duplicate."""
    user = acting_user(request)
    item = selectors.lodged(pk)
    mandate = selectors.joinable(item, user)
    if mandate is None:
        # Only deputies of the congress see other deputies' titles here.
        selectors.suggestion(user, pk)
    if request.method == "POST":
        try:
            services.join(actor=user, suggestion=item)
        except RendaError as exc:
            messages.error(request, exc.summary)
        else:
            messages.success(request, _("已附议“%(title)s”。") % {"title": item.title})
            return redirect("suggestions:list")
    return render(request, "suggestions/join.html", {"item": item, "mandate": mandate})


@login_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    item = selectors.suggestion(user, pk)
    if not selectors.can_review(user, item):
        raise PermissionDenied(_("只有人大机关可以审查议案建议。"))
    review_form, merge_form = ReviewForm(item=item), MergeForm()
    if request.method == "POST" and request.POST.get("form") == "merge":
        merge_form = MergeForm(request.POST)
        if merge_form.is_valid():
            target = Suggestion.objects.filter(pk=merge_form.cleaned_data["into"]).first()
            try:
                if target is None:
                    raise InvalidInput(field_errors={"into": [_("没有这个编号的议案建议。")]})
                services.merge(
                    actor=user,
                    suggestion=item,
                    into=target,
                    comment=merge_form.cleaned_data.get("comment", ""),
                )
            except RendaError as exc:
                show_service_errors(merge_form, exc)
            else:
                messages.success(request, _("已并案。"))
                return redirect("suggestions:detail", pk=item.pk)
    elif request.method == "POST":
        review_form = ReviewForm(request.POST, item=item)
        if review_form.is_valid():
            try:
                services.review(
                    actor=user,
                    suggestion=item,
                    decision=review_form.cleaned_data["decision"],
                    reason=review_form.cleaned_data.get("reason", ""),
                    category_id=review_form.category_id(),
                )
            except RendaError as exc:
                show_service_errors(review_form, exc)
            else:
                messages.success(request, _("已审查。"))
                nxt = selectors.review_queue(user).first()
                return (
                    redirect("suggestions:review", pk=nxt.pk)
                    if nxt
                    else redirect("suggestions:review_queue")
                )
    similar = selectors.similar(
        congress_id=item.congress_id, text=f"{item.title}\n{item.content}", exclude=item.pk
    )
    return render(
        request,
        "suggestions/review.html",
        {
            "item": item,
            "review_form": review_form,
            "merge_form": merge_form,
            "similar": similar,
            "cosigners": selectors.cosigners(item),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def presidium(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    item = selectors.suggestion(user, pk)
    if not selectors.can_review(user, item) or not item.is_motion:
        raise PermissionDenied(_("只有人大机关可以登记主席团对议案的决定。"))
    form = PresidiumForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_presidium_decision(
                actor=user,
                suggestion=item,
                decision=form.cleaned_data["decision"],
                decided_on=form.cleaned_data["decided_on"],
                note=form.cleaned_data.get("note", ""),
            )
        except RendaError as exc:
            show_service_errors(form, exc)
        else:
            messages.success(request, _("已登记主席团的决定。"))
            return redirect("suggestions:detail", pk=item.pk)
    return render(request, "suggestions/presidium.html", {"item": item, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    """交办: the office hands an accepted suggestion to a lead unit and co-units."""
    user = acting_user(request)
    item = selectors.suggestion(user, pk)
    if not selectors.can_review(user, item):
        raise PermissionDenied(_("只有人大机关可以交办议案建议。"))
    form = AssignForm(
        request.POST or None,
        units=list(selectors.units_for(item)),
        leaders=list(selectors.leaders_for(item)),
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.assign(
                actor=user,
                suggestion=item,
                lead_unit=form.units[d["lead_unit"]],
                co_units=[form.units[u] for u in d.get("co_units") or []],
                is_complex=bool(d.get("is_complex")),
                is_key=bool(d.get("is_key")),
                supervisor=form.leaders.get(d.get("supervisor") or ""),
            )
        except RendaError as exc:
            show_service_errors(form, exc)
        else:
            messages.success(request, _("已交办,承办单位将收到通知。"))
            return redirect("suggestions:detail", pk=item.pk)
    return render(request, "suggestions/assign.html", {"item": item, "form": form})


BATCH_MAX = 200


@login_required
@require_http_methods(["GET", "POST"])
def assign_batch(request: HttpRequest) -> HttpResponse:
    """批量交办: the same lead unit and co-units for several accepted suggestions."""
    user = acting_user(request)
    waiting = list(selectors.assignable(user)[:BATCH_MAX])
    form = BatchAssignForm(
        request.POST or None,
        suggestions=waiting,
        units=list(selectors.units_for_user(user)),
        leaders=[],
    )
    failed: list[tuple[Suggestion, str]] = []
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        chosen = [form.suggestions[pk] for pk in d["items"]]
        cases, problems = services.assign_batch(
            actor=user,
            suggestions=chosen,
            lead_unit=form.units[d["lead_unit"]],
            co_units=[form.units[u] for u in d.get("co_units") or []],
            is_complex=bool(d.get("is_complex")),
        )
        if cases:
            messages.success(request, _("已交办 %(n)d 件。") % {"n": len(cases)})
        if not problems:
            return redirect("suggestions:assign_batch")
        failed = [(form.suggestions[str(pk)], reason) for pk, reason in problems.items()]
    return render(
        request,
        "suggestions/assign_batch.html",
        {"form": form, "waiting": waiting, "failed": failed},
    )


@login_required
@require_GET
def attachment(request: HttpRequest, pk: int) -> FileResponse:
    """An attachment, to whoever may see the suggestion (never a public file)."""
    user = acting_user(request)
    found = SuggestionAttachment.objects.filter(pk=pk).first()
    selectors.suggestion(user, found.suggestion_id if found else 0)
    assert found is not None
    response = FileResponse(found.file.open("rb"), content_type=found.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response
