"""The target and goal pages."""

from .goals import GoalApplyView, GoalCreateView, GoalDetailView, GoalEditView, GoalListView
from .targets import MyTargetsView, TargetCreateView, TargetEditView, TargetListView

__all__ = [
    "GoalApplyView",
    "GoalCreateView",
    "GoalDetailView",
    "GoalEditView",
    "GoalListView",
    "MyTargetsView",
    "TargetCreateView",
    "TargetEditView",
    "TargetListView",
]
