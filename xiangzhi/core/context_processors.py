from .registry import NAV
from .scope import scope_for


def ui(request):
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        elder = user.elder_mode
        can_audit = scope_for(user).can_audit
        nav_items = [n for n in NAV if n.visible is None or n.visible(user)]
    else:
        elder = request.COOKIES.get("xz_elder") == "1"
        can_audit = False
        nav_items = []
    return {"elder_mode": elder, "can_audit": can_audit, "nav_items": nav_items}
