"""The JSON API under /api/v1/: token auth, and every app's router, reading through the same
selectors and scope as the pages."""

from ninja import NinjaAPI
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
