from django.urls import path

from . import views

app_name = "targets"
urlpatterns = [
    path("targets/", views.TargetListView.as_view(), name="list"),
    path("targets/new/", views.TargetCreateView.as_view(), name="create"),
    path("targets/mine/", views.MyTargetsView.as_view(), name="mine"),
    path("targets/<int:pk>/edit/", views.TargetEditView.as_view(), name="edit"),
    path("goals/", views.GoalListView.as_view(), name="goals"),
    path("goals/new/", views.GoalCreateView.as_view(), name="goal-create"),
    path("goals/<int:pk>/", views.GoalDetailView.as_view(), name="goal"),
    path("goals/<int:pk>/edit/", views.GoalEditView.as_view(), name="goal-edit"),
    path("goals/<int:pk>/apply/", views.GoalApplyView.as_view(), name="goal-apply"),
]
