from celery import shared_task


@shared_task(bind=True, max_retries=None, ignore_result=True, acks_late=True)
def deliver(self, tenant_id: int, delivery_id: int) -> None:
    """Send one e-mail or webhook call; on a failure worth retrying, again after the backoff it was given.

    Idempotent: a delivery that is sent or has given up is left alone. ``retry(throw=False)``
    queues the next attempt with its countdown (in-process without a broker: at once) and lets this
    one end quietly; the attempts are counted on the delivery, not by Celery.
    """
    from .services.delivery import delivery_attempt

    wait = delivery_attempt(tenant_id=tenant_id, delivery_id=delivery_id)
    if wait is not None:
        return self.retry(countdown=wait, throw=False)
    return None
