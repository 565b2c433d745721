from django.urls import path

from . import views

app_name = "communication"
urlpatterns = [
    path("announcements/", views.AnnouncementListView.as_view(), name="announcements"),
    path("announcements/new/", views.AnnouncementCreateView.as_view(), name="announcement-create"),
    path("announcements/<int:pk>/", views.AnnouncementDetailView.as_view(), name="announcement"),
    path(
        "announcements/<int:pk>/acknowledge/",
        views.AnnouncementAcknowledgeView.as_view(),
        name="announcement-acknowledge",
    ),
    path("reviews/", views.ReviewListView.as_view(), name="reviews"),
    path("reviews/new/", views.ReviewCreateView.as_view(), name="review-create"),
    path("reviews/<int:pk>/", views.ReviewDetailView.as_view(), name="review"),
    path("reviews/<int:pk>/edit/", views.ReviewEditView.as_view(), name="review-edit"),
    path("reviews/<int:pk>/review.ics", views.ReviewIcsView.as_view(), name="review-ics"),
    path("reviews/<int:pk>/actions/", views.ActionItemCreateView.as_view(), name="action-create"),
    path("action-items/<int:pk>/", views.ActionItemUpdateView.as_view(), name="action-update"),
    path("tickets/", views.TicketListView.as_view(), name="tickets"),
    path("tickets/new/", views.TicketCreateView.as_view(), name="ticket-create"),
    path("tickets/<int:pk>/", views.TicketDetailView.as_view(), name="ticket"),
    path("tickets/<int:pk>/reply/", views.TicketReplyView.as_view(), name="ticket-reply"),
    path("tickets/<int:pk>/close/", views.TicketCloseView.as_view(), name="ticket-close"),
    path("tickets/files/<int:pk>/", views.TicketAttachmentView.as_view(), name="ticket-attachment"),
    path("satisfaction/", views.SatisfactionView.as_view(), name="satisfaction"),
    path("satisfaction/answer/", views.PulseView.as_view(), name="pulse"),
    path("communication/settings/", views.SettingsView.as_view(), name="settings"),
]
