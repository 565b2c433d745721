from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("invitations/<int:pk>/accept/", views.invitation_answer, {"answer": "accept"}, name="invitation-accept"),
    path("invitations/<int:pk>/decline/", views.invitation_answer, {"answer": "decline"}, name="invitation-decline"),
    path("t/<slug:tenant_slug>/", views.TenantHomeView.as_view(), name="tenant-home"),
    path("t/<slug:tenant_slug>/members/", views.MemberListView.as_view(), name="members"),
    path("t/<slug:tenant_slug>/members/new/", views.MemberAddView.as_view(), name="member-add"),
    path(
        "t/<slug:tenant_slug>/invitations/<int:pk>/withdraw/",
        views.InvitationRevokeView.as_view(),
        name="invitation-revoke",
    ),
]
