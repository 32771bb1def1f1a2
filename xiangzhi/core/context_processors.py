from .scope import scope_for


def ui(request):
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        elder = user.elder_mode
        can_audit = scope_for(user).can_audit
    else:
        elder = request.COOKIES.get("xz_elder") == "1"
        can_audit = False
    return {"elder_mode": elder, "can_audit": can_audit}
