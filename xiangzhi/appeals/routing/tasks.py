"""The routing model's worker task."""

from __future__ import annotations

from django_tasks import task


@task()
def routing_train() -> int:
    """Train the routing model from the past dispatches (idempotent: same history, no model)."""
    from ..services.routing import routing_model_train

    record = routing_model_train(actor=None)
    return record.pk if record else 0
