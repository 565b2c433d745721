from django.utils.functional import SimpleLazyObject


def portal_banner(request):
    """For partner-side pages: the announcements this reader has yet to acknowledge (the banner on every page)."""
    membership = getattr(request, "membership", None)
    if membership is None or not membership.is_partner_side:
        return {}

    def pending():
        from .selectors import unacknowledged_for

        return list(unacknowledged_for(membership).only("pk", "title")[:3])

    return {"acknowledgements_due": SimpleLazyObject(pending)}
