from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, StringField, ValidationError
from wtforms.validators import DataRequired, InputRequired, Length

from facilitator.fields import RealDateField, RealTimeField
from facilitator.meetings.models import ATTENDS_AS


class NewMeetingForm(FlaskForm):
    type_code = RadioField("Type of meeting", default="placement_stability",
                           validate_choice=False,
                           validators=[DataRequired("Choose a type of meeting.")])
    immediate_risk = RadioField(
        "Is the placement at immediate risk of breaking down?",
        description="For a stability meeting: if so it is due within 5 working days, "
                    "otherwise within 2 weeks.",
        choices=[SelectChoice("yes", "Yes"), SelectChoice("no", "No")], validate_choice=False)
    case_reference = StringField("Child's case reference", validators=[
        DataRequired("Enter the child's case reference."),
        Length(max=40, message="The child's case reference must be 40 characters or fewer.")])
    child_name = StringField("Child's name", description="The projector shows only initials.",
                             validators=[DataRequired("Enter the child's name."),
                                         Length(max=120, message="The child's name must be "
                                                                 "120 characters or fewer.")])
    day = RealDateField("Date", what="the date of the meeting",
                        validators=[InputRequired("Enter the date of the meeting.")])
    time = RealTimeField("Start time", what="the start time",
                         validators=[InputRequired("Enter the start time.")])
    location = StringField("Where", description="A room, or 'Online' for a remote meeting.",
                           validators=[DataRequired("Enter where the meeting is."),
                                       Length(max=200, message="The place must be 200 "
                                                               "characters or fewer.")])

    def for_types(self, meeting_types):
        """The meeting types are data: the choices come from the database."""
        self.type_code.choices = [SelectChoice(t.code, t.name) for t in meeting_types]
        return self

    def validate_type_code(self, field):
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError("Choose a type of meeting.")


class JoinCodeForm(FlaskForm):
    code = StringField("Meeting code", description="Six letters and numbers, shown on the "
                       "screen in the room.", validators=[DataRequired("Enter the meeting code.")])


class JoinForm(FlaskForm):
    name = StringField("Your name", validators=[
        DataRequired("Enter your name."),
        Length(max=80, message="Your name must be 80 characters or fewer.")])
    # Any other value is refused by the service, in the same words, beside this field.
    attends_as = RadioField("Who are you in this meeting?", validate_choice=False,
                            choices=[SelectChoice(value, label)
                                     for value, label in ATTENDS_AS.items()],
                            validators=[DataRequired("Choose who you are in this meeting.")])
