from .registry import NAV
from .scope import scope_for
from .selectors import unread_count


class _Once:
    """A value the template computes only if it shows it, and once (templates call callables)."""

    def __init__(self, compute):
        self.compute, self.done, self.value = compute, False, None

    def __call__(self):
        if not self.done:
            self.value, self.done = self.compute(), True
        return self.value


def ui(request):
    """The layout's values. A page renders several templates with the request (its panels'
    too), and each render runs the context processors: they are built once per request and user
    (the navigation's visibility tests read the scope, 20 entries for a cadre)."""
    user = getattr(request, "user", None)
    key = getattr(user, "pk", None)
    cached = getattr(request, "_xz_ui", None)
    if cached is not None and cached[0] == key:
        return cached[1]
    request._xz_ui = (key, values := _ui(request, user))
    return values


def _ui(request, user) -> dict:
    if user is not None and user.is_authenticated:
        elder = user.elder_mode
        can_audit = scope_for(user).can_audit
        nav_items = [n for n in NAV if n.visible is None or n.visible(user)]
        unread = _Once(lambda: unread_count(actor=user))
    else:
        elder = request.COOKIES.get("xz_elder") == "1"
        can_audit = False
        nav_items = []
        unread = 0
    return {
        "elder_mode": elder,
        "can_audit": can_audit,
        "nav_items": nav_items,
        "inbox_unread": unread,  # the header's badge: one bounded query, none for anonymous users
    }
