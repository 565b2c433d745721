from .roles import Capability, role_can


def tenant(request):
    """The tenant and membership of the page, and what its member may do, for the layout."""
    membership = getattr(request, "membership", None)
    can = {}
    if membership is not None:
        can = {capability.value: role_can(membership.role, capability) for capability in Capability}
    return {
        "tenant": getattr(request, "tenant", None),
        "membership": membership,
        "can": can,
    }
