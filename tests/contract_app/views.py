from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.utils.html import format_html, format_html_join

from xiangzhi.core.scope import access_object
from xiangzhi.grid.models import GridNode

from . import selectors
from .models import Notice
from .services import notice_post, notice_update


def notice_list(request):
    """The notices the user may read (under ?node=), one title a line."""
    node_id = request.GET.get("node")
    node = access_object(GridNode, request.user, node_id) if node_id else None
    notices = selectors.notice_list(actor=request.user, node=node)
    return HttpResponse(
        format_html(
            "<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((n.title,) for n in notices))
        )
    )


def notice_create(request):
    """A form to pin a notice to a node; the node is loaded to read, the service checks the write."""
    if request.method == "POST":
        node = access_object(GridNode, request.user, request.POST.get("node"))
        try:
            notice, _ = notice_post(
                actor=request.user, node=node, title=request.POST.get("title", "")
            )
        except ValidationError as exc:
            return HttpResponseBadRequest(" ".join(exc.messages))
        return redirect("contract:notice_detail", notice_id=notice.pk)
    options = format_html_join(
        "",
        '<option value="{}">{}</option>',
        ((n.pk, n.name) for n in selectors.notice_nodes(actor=request.user)),
    )
    return HttpResponse(
        format_html(
            '<form method="post"><select name="node">{}</select>'
            '<input type="text" name="title" maxlength="60"><button>张贴</button></form>',
            options,
        )
    )


def notice_detail(request, notice_id: int):
    """Show a notice; a POST retitles it."""
    notice = access_object(Notice, request.user, notice_id, write=request.method == "POST")
    if request.method == "POST":
        notice = notice_update(actor=request.user, notice=notice, title=request.POST.get("name"))
    return HttpResponse(notice.title)
