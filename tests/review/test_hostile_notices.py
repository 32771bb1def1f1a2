"""Hostile reading of what notices carry: a petition's subject and a dispute's title are free
text a cadre types (often with the petitioner's phone or ID number); the webhook payload goes
to a third party's group robot and the inbox to every department member, so a phone or an ID
number in them is masked, as Open311 masks an appeal's description."""

import datetime as dt

from xiangzhi.accounts.models import Department
from xiangzhi.appeals.services import disputes, petitions
from xiangzhi.core.models import Notification, WebhookDelivery, WebhookEndpoint

PHONE, ID_NUMBER = "13912345678", "430521198001011234"
SUBJECT = f"甲村征地补偿，联系电话{PHONE}，身份证{ID_NUMBER}"


def test_a_petitions_webhook_payload_and_inbox_notice_mask_the_phone_and_id_number(
    world, django_capture_on_commit_callbacks
):
    WebhookEndpoint.objects.create(
        name="甲村工作群", url="http://127.0.0.1:9/hook", format="json", node=world.a.node
    )
    with django_capture_on_commit_callbacks(execute=True):
        petitions.petition_register(
            actor=world.a.cadre,
            node=world.a.node,
            petitioner="甲某",
            channel="visit",
            subject=SUBJECT,
            content="修路征地补偿未发",
            department=Department.objects.get_or_create(
                code="petitions", defaults={"name": "信访"}
            )[0],
            received_on=dt.date.today(),
        )
    bodies = list(WebhookDelivery.objects.values_list("body", flat=True))
    bodies += list(Notification.objects.values_list("body", flat=True))
    assert any("征地补偿" in b for b in bodies)
    assert not [b for b in bodies if PHONE in b or ID_NUMBER in b]


def test_a_disputes_webhook_payload_masks_the_phone_in_its_title(
    world, django_capture_on_commit_callbacks
):
    WebhookEndpoint.objects.create(
        name="甲村工作群", url="http://127.0.0.1:9/hook", format="json", node=world.a.node
    )
    before = set(WebhookDelivery.objects.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        disputes.dispute_register(**_dispute_args(world))
    bodies = list(WebhookDelivery.objects.exclude(pk__in=before).values_list("body", flat=True))
    assert bodies
    assert not [b for b in bodies if PHONE in b]


def _dispute_args(world) -> dict:
    return {
        "actor": world.a.cadre,
        "node": world.a.node,
        "title": f"甲村水沟纠纷（当事人电话{PHONE}）",
        "category": "neighbour",
        "description": "两户为水沟争执",
        "parties": [("甲某", None, "沟不能改"), ("乙某", None, "")],
    }
