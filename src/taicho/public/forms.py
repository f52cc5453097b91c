from django import forms
from django.utils.translation import gettext_lazy as _


class CheckFileForm(forms.Form):
    pdf = forms.FileField(
        label=_("Tệp PDF cần kiểm tra"), widget=forms.ClearableFileInput(attrs={"accept": ".pdf"})
    )
