"""The load run's clients (bench/load.py runs locust headless with this file).

LOAD_PROFILE=trivial: every client fetches the bench's trivial logged-in page, the yardstick.
LOAD_PROFILE=mix: a county auditor reads the grid pages at the county, a township and a village;
village cadres search residents by pinyin, read the village's grid page and household pages, and
register births through the household page's form. LOAD_TARGETS (JSON) names the nodes and the
households. No think time: the clients keep the server saturated, so that throughput is the
server's and not the clients'.
"""

from __future__ import annotations

import json
import os
import random

from locust import HttpUser, constant, task

TARGETS = json.loads(os.environ.get("LOAD_TARGETS", "{}"))
SESSIONS = json.loads(os.environ.get("LOAD_SESSIONS", "{}"))
PROFILE = os.environ.get("LOAD_PROFILE", "mix")
SEARCHES = ["zh", "wang", "li", "ch", "x", "l", "liu", "y"]


class LoggedIn(HttpUser):
    abstract = True
    wait_time = constant(0)
    username = ""
    csrf = ""

    def on_start(self) -> None:
        # Logged in once per account by bench/load.py through the login form, before the run:
        # Argon2 (100 MB, by design slow) would otherwise fill the first seconds of the run.
        host = self.host.split("://", 1)[1].split(":", 1)[0]
        for name, value in SESSIONS[self.username].items():
            # The server's own Set-Cookie (a page with a form refreshes csrftoken) replaces these.
            self.client.cookies.set(name, value, domain=host)
        self.csrf = SESSIONS[self.username]["csrftoken"]

    def page(self, url: str, name: str) -> None:
        with self.client.get(url, name=name, allow_redirects=False, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code}")


if PROFILE == "trivial":

    class Trivial(LoggedIn):
        username = "demo_cun_ganbu"

        @task
        def trivial(self) -> None:
            self.page("/bench/trivial/", "trivial logged-in page")

else:

    class CountyReader(LoggedIn):
        weight = 1
        username = "demo_xianwei"

        @task(1)
        def county(self) -> None:
            self.page(f"/grid/nodes/{TARGETS['county']}/", "grid page: county")

        @task(2)
        def township(self) -> None:
            self.page(f"/grid/nodes/{TARGETS['township']}/", "grid page: township")

        @task(3)
        def village(self) -> None:
            self.page(f"/grid/nodes/{TARGETS['village']}/", "grid page: village")

    class VillageCadre(LoggedIn):
        weight = 3
        username = "demo_cun_ganbu"

        @task(4)
        def search(self) -> None:
            q = random.choice(SEARCHES)
            self.page(f"/people/residents/?q={q}", "resident search (pinyin)")

        @task(2)
        def village(self) -> None:
            self.page(f"/grid/nodes/{TARGETS['village']}/", "grid page: village")

        @task(4)
        def household(self) -> None:
            hid = random.choice(TARGETS["households"])
            self.page(f"/people/households/{hid}/", "household page")

        @task(1)
        def birth(self) -> None:
            hid = random.choice(TARGETS["households"])
            url = f"/people/households/{hid}/members/new/"
            data = {
                "csrfmiddlewaretoken": self.csrf,
                "kind": "birth",
                "name": random.choice("张王李刘陈杨")
                + random.choice(["小明", "小红", "一鸣", "乐乐"]),
                "gender": random.choice("MF"),
                "birth_date": "2026-11-20",
                "relation": "grandchild",
                "ethnicity": "汉族",
            }
            with self.client.post(
                url,
                data=data,
                headers={"Referer": self.host + url},
                allow_redirects=False,
                name="birth (household page form)",
                catch_response=True,
            ) as r:
                # A registered birth redirects to the household page; the form again means refused.
                if r.status_code != 302:
                    r.failure(f"{r.status_code}")
