from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField, ValidationError
from wtforms.validators import DataRequired, Length

from facilitator.errors import Refused
from facilitator.scaling.services import REASON_LIMIT, whole_number


class AdvanceScoreForm(FlaskForm):
    """A score and reason sent before the meeting through a personal link."""

    value = RadioField("Your score", validate_choice=False)  # required: see for_scale
    reason = TextAreaField("Your reason", validators=[
        DataRequired("Give a reason for your score."),
        Length(max=REASON_LIMIT, message=f"Your reason must be {REASON_LIMIT} characters or "
                                         "fewer.")])

    def for_scale(self, scale):
        self.scale = scale
        # The same words as the board's check and the service's (services.whole_number).
        self.value.validators = [DataRequired(f"Choose a score from {scale.minimum} to "
                                              f"{scale.maximum}.")]
        self.value.choices = [(str(value), str(value)) for value in scale.values]
        self.value.id = f"value-{scale.minimum}"  # the first choice: where the summary links
        return self

    def validate_value(self, field):
        try:
            field.data = str(whole_number(field.data, self.scale))
        except Refused as refused:
            raise ValidationError(refused.message)
