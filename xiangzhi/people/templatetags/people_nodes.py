"""The households registered on a grid node, for the panel on its page (people/panels/
node_households.html): a page of them, read from the request's ?page=, at a constant number of
queries whatever the number of households (a count and one page, heads joined)."""

from django import template

from xiangzhi.core.web import paginate

from .. import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def node_households(context, node):
    request = context["request"]
    return paginate(request, selectors.node_households(actor=request.user, node=node))
