"""Small helpers shared by the HTML views of every app."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

PAGE_SIZE = 50


class ListPaginator(Paginator):
    """A first page that holds the whole list needs no COUNT: it fetches one row more than a
    page, and when that row is not there the count is known. A search that finds a few people,
    the list most often asked for, costs one query instead of two."""

    def get_page(self, number):
        try:
            first = int(number or 1) == 1
        except (TypeError, ValueError):
            first = True  # Paginator shows the first page for a page number that is not one
        if not first:
            return super().get_page(number)
        fits = self.per_page + self.orphans
        rows = list(self.object_list[: fits + 1])
        if len(rows) <= fits:
            self.__dict__["count"] = len(rows)  # the cached_property, known without a query
            return self._get_page(rows, 1, self)
        return self._get_page(rows[: self.per_page], 1, self)  # COUNT only for the page links


def paginate(request, queryset, per_page: int = PAGE_SIZE):
    """Return the requested page; a bad or out-of-range page number shows the nearest page."""
    return ListPaginator(queryset, per_page).get_page(request.GET.get("page"))


def querystring_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    encoded = params.urlencode()
    return encoded + "&" if encoded else ""


def apply_errors(form, exc: ValidationError, prefix_map: dict[str, str] | None = None) -> None:
    """Put a service's ValidationError onto the form, field by field where the field exists."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            target = (prefix_map or {}).get(name, name)
            form.add_error(target if target in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def safe_next(request, default: str) -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return nxt
    return default


def handle_form(request, form, action, *, success_message, success_url, prefix_map=None):
    """On a valid POST run `action(cleaned_data)` (a service call), then flash and redirect.

    Return the redirect on success and None otherwise: the form then carries the service's
    errors, field by field, and the view renders it again.
    """
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = action(form.cleaned_data)
    except ValidationError as exc:
        apply_errors(form, exc, prefix_map)
        return None
    messages.success(
        request, success_message(result) if callable(success_message) else success_message
    )
    return redirect(success_url(result) if callable(success_url) else success_url)


def xlsx_response(write, filename: str):
    """Build an .xlsx download: `write(file)` fills a temporary file that is then streamed."""
    import tempfile

    from django.http import FileResponse

    from .xlsx.names import download_name

    tmp = tempfile.TemporaryFile()
    write(tmp)
    tmp.seek(0)
    return FileResponse(
        tmp,
        as_attachment=True,
        filename=download_name(filename),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


_ONCE_KEY = "forms_sent"


def once_used(request) -> bool:
    """Whether this copy of a form ({% once_field %}) was sent before: a refresh or a second tap of
    a form that makes something (an account, a one-time password) must not make it again."""
    token = request.POST.get("once", "")
    return bool(token) and token in request.session.get(_ONCE_KEY, [])


def once_spend(request) -> None:
    """Remember that this copy of the form made its thing (the last fifty are kept)."""
    token = request.POST.get("once", "")
    if token:
        request.session[_ONCE_KEY] = [*request.session.get(_ONCE_KEY, [])[-49:], token]
