from django import forms
from django.utils.translation import gettext_lazy as _

from common.forms import DateField


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("A .csv (UTF-8 or GB18030) or .xlsx file whose first row names the columns."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )


class AsOfForm(forms.Form):
    date = DateField(label=_("As of"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
