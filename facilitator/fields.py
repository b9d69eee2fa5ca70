"""Date and time form fields whose message for a value that is not a date or a time says how to
put it right ("Enter the date of the move as a real date, for example 24/11/2026"), instead of
WTForms' "Not a valid date value"."""
from wtforms import DateField, TimeField


class _Explained:
    example = ""

    def __init__(self, label=None, validators=None, what=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.what = what or (label or "the date").lower()

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(f"Enter {self.what} as {self.example}.") from None


class RealDateField(_Explained, DateField):
    example = "a real date, for example 24/11/2026"


class RealTimeField(_Explained, TimeField):
    example = "a time of day, for example 14:30"
