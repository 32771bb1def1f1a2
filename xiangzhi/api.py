"""The JSON API under /api/v1/: token auth, and every app's router, reading through the same
selectors and scope as the pages."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as RequestInvalid
from ninja.security import HttpBearer

from xiangzhi.accounts.services import api_token_user


class BearerAuth(HttpBearer):
    def authenticate(self, request, token):
        user = api_token_user(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="乡治 API",
    version="1",
    urls_namespace="api",
    auth=BearerAuth(),
    docs_url="/docs",
)


# Refusals in Chinese, as JSON: a service's or access function's PermissionDenied (otherwise
# Django's HTML 403 page), and ninja's English 404 and 401.
@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return api.create_response(request, {"detail": str(exc) or gettext("没有权限")}, status=403)


@api.exception_handler(Http404)
def _not_found(request, exc):
    detail = gettext("找不到该记录，或它不在您的管辖范围内")
    return api.create_response(request, {"detail": detail}, status=404)


@api.exception_handler(AuthenticationError)
def _unauthorized(request, exc):
    detail = gettext("请在请求头中提供有效的令牌（Authorization: Bearer ...）")
    return api.create_response(request, {"detail": detail}, status=401)


@api.exception_handler(RequestInvalid)
def _invalid(request, exc):
    """A path or query parameter ninja could not read (a body is read by core.api.read_body)."""
    names = []
    for error in exc.errors:
        loc = [str(part) for part in error.get("loc") or () if part not in ("path", "query")]
        if loc and loc[-1] not in names:
            names.append(loc[-1])
    detail = gettext("请求参数有误，请检查：%(fields)s") % {"fields": "、".join(names) or "—"}
    return api.create_response(request, {"detail": detail}, status=422)


def _register_routers():
    from xiangzhi.appeals.api import router as appeals_router
    from xiangzhi.grid.api import router as grid_router
    from xiangzhi.party.api import router as party_router
    from xiangzhi.party.api_meetings import router as party_meetings_router
    from xiangzhi.people.api import router as people_router
    from xiangzhi.points.api import router as points_router
    from xiangzhi.points.store_api import router as points_store_router

    api.add_router("/grid", grid_router)
    api.add_router("/", people_router)
    api.add_router("/points", points_router)
    api.add_router("/points", points_store_router)
    api.add_router("/party", party_router)
    api.add_router("/", appeals_router)
    api.add_router("/party", party_meetings_router)


_register_routers()
