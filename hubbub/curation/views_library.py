"""The library pages: search (words, tag, kind, language, approved), the approved badge,
add and edit each kind (an image is uploaded and sniffed like the composer's), approve,
delete, CSV export and import, and "Share" to the composer. Every change goes through
hubbub.curation.library."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from hubbub.core.access import Access, ActionError
from hubbub.core.form_errors import show_error
from hubbub.curation import library
from hubbub.curation.models import LibraryItem, LibraryKind, LibraryTag
from hubbub.web.decorators import workspace_view

PAGE_SIZE = 50


class LibraryForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=LibraryKind.choices)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=300, required=False)
    text = forms.CharField(
        label=gettext_lazy("Text"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text=gettext_lazy("A snippet's text, a hashtag set (#one #two), or a note."),
    )
    url = forms.CharField(label=gettext_lazy("Link"), max_length=2000, required=False)
    image = forms.FileField(label=gettext_lazy("Image"), required=False)
    alt_text = forms.CharField(
        label=gettext_lazy("Alt text"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    tags = forms.CharField(
        label=gettext_lazy("Tags"),
        required=False,
        help_text=gettext_lazy("Separated by spaces or commas."),
    )
    language = forms.CharField(
        label=gettext_lazy("Language"),
        max_length=16,
        required=False,
        help_text=gettext_lazy("en, fr… Empty: detected from the text."),
    )


def _entry(access: Access, pk: int) -> LibraryItem:
    return get_object_or_404(LibraryItem, pk=pk, workspace=access.workspace)


def _to_list(access: Access) -> HttpResponse:
    return redirect("curation:library", slug=access.workspace.slug)


def _approved(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


@require_GET
@workspace_view("curation.view")
def library_list(request: HttpRequest, access: Access) -> HttpResponse:
    params = request.GET
    filters = {
        "words": params.get("q", "")[:200],
        "tag": params.get("tag", "")[:50],
        "kind": params.get("kind", "") if params.get("kind", "") in LibraryKind.values else "",
        "language": params.get("language", "")[:16],
        "approved": _approved(params.get("approved", "")),
    }
    found = library.search(access.workspace, **filters)  # type: ignore[arg-type]
    page = Paginator(found, PAGE_SIZE).get_page(params.get("page"))
    return render(
        request,
        "curation/library.html",
        {
            "page": page,
            "filters": {**filters, "approved": params.get("approved", "")},
            "kinds": LibraryKind.choices,
            "tags": LibraryTag.objects.filter(workspace=access.workspace),
            "editable": access.can("curation.edit"),
            "approver": access.can("library.approve"),
            "can_post": access.can("posts.create"),
            "query": params.urlencode(),
        },
    )


def _input(form: LibraryForm) -> library.LibraryInput:
    data = form.cleaned_data
    return library.LibraryInput(
        kind=data["kind"],
        title=data["title"],
        text=data["text"],
        url=data["url"],
        tags=library.tags_of(data["tags"]),
        language=data["language"],
        alt_text=data["alt_text"],
    )


@workspace_view("curation.edit")
def library_new(request: HttpRequest, access: Access) -> HttpResponse:
    status = 200
    if request.method == "POST":
        form = LibraryForm(request.POST, request.FILES)
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["image"]
            try:
                item = library.create_item(
                    access,
                    _input(form),
                    image=upload,
                    image_size=upload.size if upload else 0,
                    image_name=upload.name if upload else "",
                )
            except ActionError as exc:
                show_error(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("“%(title)s” added to the library.") % {"title": item})
                return _to_list(access)
    else:
        kind = request.GET.get("kind", "")
        form = LibraryForm(
            initial={"kind": kind if kind in LibraryKind.values else LibraryKind.SNIPPET}
        )
    return render(
        request, "curation/library_edit.html", {"form": form, "entry": None}, status=status
    )


@workspace_view("curation.edit")
def library_edit(request: HttpRequest, access: Access, library_item_id: int) -> HttpResponse:
    entry = _entry(access, library_item_id)
    status = 200
    if request.method == "POST":
        form = LibraryForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                library.update_item(access, entry, _input(form))
            except ActionError as exc:
                show_error(form, exc)
            else:
                messages.success(request, _("“%(title)s” saved.") % {"title": entry})
                return _to_list(access)
    else:
        form = LibraryForm(
            initial={
                "kind": entry.kind,
                "title": entry.title,
                "text": entry.text,
                "url": entry.url,
                "alt_text": entry.alt_text,
                "tags": " ".join(t.name for t in entry.tags.all()),
                "language": entry.language,
            }
        )
    form.fields["kind"].disabled = True  # a kind never changes: shown, not editable
    form.fields["image"].disabled = True
    return render(
        request, "curation/library_edit.html", {"form": form, "entry": entry}, status=status
    )


@require_POST
@workspace_view("curation.edit")
def library_delete(request: HttpRequest, access: Access, library_item_id: int) -> HttpResponse:
    entry = _entry(access, library_item_id)
    title = entry.title
    try:
        library.delete_item(access, entry)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("“%(title)s” removed from the library.") % {"title": title})
    return _to_list(access)


@require_POST
@workspace_view("library.approve")
def library_approve(request: HttpRequest, access: Access, library_item_id: int) -> HttpResponse:
    entry = _entry(access, library_item_id)
    approved = request.POST.get("approved", "1") != "0"
    library.approve(access, entry, approved)
    if approved:
        messages.success(request, _("“%(title)s” is approved.") % {"title": entry})
    else:
        messages.success(request, _("“%(title)s” is a proposal again.") % {"title": entry})
    return _to_list(access)


@require_GET
@workspace_view("curation.view")
def library_export(request: HttpRequest, access: Access) -> HttpResponse:
    items = library.search(access.workspace)
    response = HttpResponse(library.export_csv(items), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{access.workspace.slug}-library.csv"'
    return response


@workspace_view("curation.edit")
def library_import(request: HttpRequest, access: Access) -> HttpResponse:
    result: library.CsvResult | None = None
    error = ""
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise ActionError(_("Choose a CSV file."))
            if (upload.size or 0) > library.MAX_CSV_BYTES:
                raise ActionError(_("This file is larger than 5 MB."))
            result = library.import_csv(access, upload.read())
        except ActionError as exc:
            error, status = exc.message, 400
        else:
            messages.success(
                request,
                ngettext("%(n)s item imported.", "%(n)s items imported.", result.added)
                % {"n": result.added},
            )
            if not result.problems:
                return _to_list(access)
    return render(
        request,
        "curation/library_import.html",
        {"result": result, "error": error, "columns": library.CSV_COLUMNS},
        status=status,
    )
