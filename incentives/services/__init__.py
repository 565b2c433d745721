"""Every write of the incentives app, and the what-if that writes nothing.

- ``programs``: create and edit rebate programs and profit-share agreements, with versions;
- ``whatif``: what a program's terms would have paid in a past period, against what was paid;
- ``accruals``: the nightly period-to-date rebate estimates (SPEC §4.4, §5).
"""

from .accruals import accruals_compute
from .programs import (
    agreement_create,
    agreement_paid_out,
    agreement_update,
    program_create,
    program_paid_out,
    program_update,
)
from .whatif import WhatIf, WhatIfRow, last_complete_period, program_what_if, unsaved_program_terms

__all__ = [
    "WhatIf",
    "WhatIfRow",
    "accruals_compute",
    "agreement_create",
    "agreement_paid_out",
    "agreement_update",
    "last_complete_period",
    "program_create",
    "program_paid_out",
    "program_update",
    "program_what_if",
    "unsaved_program_terms",
]
