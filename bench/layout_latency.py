"""The site's layout (the fixed cost of every full page) against the trivial logged-in page, and
where it goes: `python bench/layout_latency.py DATABASE_URL [REPEAT]` (the thin county of
bench/seed_thin_county.py, or any seeded database with the demo accounts).

* trivial: bench_urls.trivial, session + user + scope, "ok";
* layout: base.html with an empty content block (bench_urls.layout);
* /accounts/me/: the layout and a few fields;
* parts of the layout, timed alone in the same process: the context processors, and the render
  of the layout with its context already built (the request's own cost taken out).
"""

from __future__ import annotations

import json
import sys

from common import client_for, page, percentiles, setup, timed

REPEAT = 300


def main(database_url: str, repeat: int = REPEAT) -> dict:
    setup(database_url)
    from django.conf import settings

    settings.ROOT_URLCONF = "bench_urls"
    from bench_urls import _LAYOUT
    from django.db import connection, reset_queries
    from django.template import RequestContext, engines
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext

    from xiangzhi.accounts.models import User

    cadre = User.objects.get(username="demo_cun_ganbu")
    villager = User.objects.get(username="demo_cunmin")

    out: dict = {}
    for who, user in (("cadre", cadre), ("villager", villager)):
        client = client_for(user)
        for url in ("/bench/trivial/", "/bench/layout/", "/accounts/me/"):
            client.get(url)
            reset_queries()  # the handler clears the log at each request
            with CaptureQueriesContext(connection) as q:
                page(client, url)()
            queries = len(q.captured_queries)  # read now: the next requests clear the log
            out[f"{who} {url}"] = {
                **percentiles(timed(page(client, url), repeat)),
                "queries": queries,
            }

    # The parts, for the cadre: context processors alone, the layout's render alone.
    engine = engines["django"].engine
    template = engine.from_string(_LAYOUT)
    request = RequestFactory().get("/accounts/me/", HTTP_HOST="localhost")
    request.user = cadre
    request.session = {}
    request.COOKIES = {}
    from django.contrib.messages.storage.fallback import FallbackStorage

    request._messages = FallbackStorage(request)
    processors = engine.template_context_processors

    def run_processors():
        for p in processors:
            p(request)

    def render():
        template.render(RequestContext(request, {"nav": "profile"}))

    out["part: context processors"] = percentiles(timed(run_processors, repeat))
    # The navigation alone, as the template wrote it (a {% url %} per entry) and as nav_links
    # writes it, interleaved so that the machine's load falls on both alike.
    context = RequestContext(request, {"nav": "grid"})
    old = engine.from_string(
        '{% for item in nav_items %}<li><a href="{% url item.url_name %}" '
        '{% if nav == item.key %}aria-current="page"{% endif %}>{{ item.label }}</a></li>'
        "{% endfor %}"
    )
    new = engine.from_string("{% nav_links %}")
    samples: dict[str, list[float]] = {"old": [], "new": []}
    with context.bind_template(old):
        for _ in range(repeat):
            for name, t in (("old", old), ("new", new)):
                samples[name] += timed(lambda t=t: t._render(context), 1, warmup=0)
    out["part: nav as {% for %}{% url %}"] = percentiles(samples["old"])
    out["part: nav as nav_links"] = percentiles(samples["new"])
    out["part: layout render (processors included)"] = percentiles(timed(render, repeat))
    return out


if __name__ == "__main__":
    count = int(sys.argv[2]) if len(sys.argv) > 2 else REPEAT
    print(json.dumps(main(sys.argv[1], count), indent=1, ensure_ascii=False))
