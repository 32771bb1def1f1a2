"""What every app's API shares: its page of results."""

from ninja import Field
from ninja.pagination import PageNumberPagination


class Page(PageNumberPagination):
    """Fifty rows a page. A page past a 64-bit offset is a 422 as page=0 is, not the database's
    overflow (a 500)."""

    class Input(PageNumberPagination.Input):
        page: int = Field(1, ge=1, le=10**9)

    page_size = 50
