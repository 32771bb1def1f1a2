from django.http import HttpResponse

from xiangzhi.core.scope import access_object

from .models import Notice
from .services import notice_update


def notice_detail(request, notice_id: int):
    """Show a notice; a POST retitles it."""
    notice = access_object(Notice, request.user, notice_id, write=request.method == "POST")
    if request.method == "POST":
        notice = notice_update(actor=request.user, notice=notice, title=request.POST.get("name"))
    return HttpResponse(notice.title)
