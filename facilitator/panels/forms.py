from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice
from wtforms.validators import DataRequired, InputRequired

from facilitator.fields import RealDateField


class SeriesForm(FlaskForm):
    """Start a locality's fortnightly panel series on its first date."""

    locality = RadioField("Locality", validate_choice=False,
                          validators=[DataRequired("Choose a locality.")])
    first_date = RealDateField("Date of the first panel", what="the date of the first panel",
                               validators=[InputRequired("Enter the date of the first panel.")])

    def for_localities(self, localities, rule_words):
        """The localities are data: the choices come from the database; the hint says when
        the type's panels meet."""
        self.first_date.description = f"The panel then meets {rule_words}."
        self.locality.choices = [SelectChoice(str(place.id), f"{place.name} ({place.venue})")
                                 for place in localities]
        return self

    def locality_id(self):
        value = self.locality.data or ""
        return int(value) if value.isdigit() else None


class SetUpPanelForm(FlaskForm):
    """The button that sets up the panel meeting for one date of a series."""

    panel_date = RealDateField("Panel date", what="the panel date",
                               validators=[InputRequired("Choose a panel date.")])
