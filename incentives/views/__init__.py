"""The incentive pages: rebate programs and profit-share agreements (vendor), "Our programs" (portal)."""

from .agreements import AgreementCreateView, AgreementDetailView, AgreementEditView, AgreementListView
from .portal import OurProgramsView
from .programs import ProgramCreateView, ProgramDetailView, ProgramEditView, ProgramListView

__all__ = [
    "AgreementCreateView",
    "AgreementDetailView",
    "AgreementEditView",
    "AgreementListView",
    "OurProgramsView",
    "ProgramCreateView",
    "ProgramDetailView",
    "ProgramEditView",
    "ProgramListView",
]
