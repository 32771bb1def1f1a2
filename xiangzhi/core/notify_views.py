"""The inbox (站内消息) and the dead-letter list of webhook deliveries: thin views."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .access import access_notification, access_webhook_delivery, access_webhook_failures
from .notify import notification_read, notification_read_all
from .selectors import notification_list, webhook_failure_list
from .web import paginate
from .webhooks import webhook_delivery_retry

INBOX_PAGE_SIZE = 20


@require_GET
def inbox(request):
    page = paginate(request, notification_list(actor=request.user), INBOX_PAGE_SIZE)
    return render(request, "core/inbox.html", {"page_obj": page, "nav": "inbox"})


@require_POST
def inbox_read(request, notification_id):
    notification = access_notification(request.user, notification_id)
    notification_read(actor=request.user, notification=notification)
    if request.POST.get("open") and notification.link:
        return redirect(notification.link)  # a path inside the site (core.notify._safe_link)
    return redirect("inbox:list")


@require_POST
def inbox_read_all(request):
    count = notification_read_all(actor=request.user)
    if count:
        messages.success(request, gettext("已将 %(n)d 条消息标记为已读。") % {"n": count})
    return redirect("inbox:list")


@require_http_methods(["GET", "POST"])
def webhook_failures(request):
    access_webhook_failures(request.user)
    if request.method == "POST":
        delivery = access_webhook_delivery(request.user, request.POST.get("delivery"))
        try:
            webhook_delivery_retry(actor=request.user, delivery=delivery)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, gettext("已重新加入推送队列。"))
        return redirect("core:webhook_failures")
    page = paginate(request, webhook_failure_list(actor=request.user))
    return render(request, "core/webhook_failures.html", {"page_obj": page, "nav": "webhooks"})
