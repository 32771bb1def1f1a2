"""The workbench's call button: a grid worker taps it, the number is revealed (audited, as every
reveal is) and the phone's dialer opens. The page itself never holds a full number."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from . import services
from .access import access_resident

CALL_PURPOSE = "工作台拨打电话"


class TelRedirect(HttpResponseRedirect):
    """A redirect to a tel: link, which opens the dialer (Django allows http(s) and ftp only)."""

    allowed_schemes = ["tel"]


@require_POST
def resident_call(request, resident_id: int):
    """Reveal a resident's phone for a call (403 to a role that may not) and dial it."""
    resident = access_resident(request.user, resident_id, reveal=True)
    phone = services.resident_reveal(
        actor=request.user, resident=resident, field_name="phone", purpose=CALL_PURPOSE
    )
    if not phone:
        messages.error(request, gettext("%(name)s没有登记联系电话") % {"name": resident.name})
        return redirect("home")
    return TelRedirect(f"tel:{phone}")
