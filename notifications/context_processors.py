from django.utils.functional import SimpleLazyObject


def unread_of(request) -> int:
    """The member's unread count, counted once per request (the header's badge and the inbox share it)."""
    if not hasattr(request, "_unread_notifications"):
        from .selectors import unread_count

        request._unread_notifications = unread_count(request.membership)
    return request._unread_notifications


def inbox(request):
    """The unread count for the header's badge: one query, made only when a page shows it (not an htmx fragment)."""
    if getattr(request, "membership", None) is None:
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: unread_of(request))}
