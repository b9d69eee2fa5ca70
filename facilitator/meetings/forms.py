from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SelectChoice, StringField, TimeField
from wtforms.validators import DataRequired, Length

from facilitator.meetings.models import ATTENDS_AS


class NewMeetingForm(FlaskForm):
    case_reference = StringField("Child's case reference", validators=[
        DataRequired("Enter the child's case reference."), Length(max=40)])
    child_name = StringField("Child's name", description="The projector shows only initials.",
                             validators=[DataRequired("Enter the child's name."),
                                         Length(max=120)])
    day = DateField("Date", validators=[DataRequired("Enter the date of the meeting.")])
    time = TimeField("Start time", validators=[DataRequired("Enter the start time.")])
    location = StringField("Where", description="A room, or 'Online' for a remote meeting.",
                           validators=[DataRequired("Enter where the meeting is."),
                                       Length(max=200)])


class JoinCodeForm(FlaskForm):
    code = StringField("Meeting code", description="Six letters and numbers, shown on the "
                       "screen in the room.", validators=[DataRequired("Enter the meeting code.")])


class JoinForm(FlaskForm):
    name = StringField("Your name", validators=[DataRequired("Enter your name."),
                                                Length(max=80)])
    attends_as = RadioField("Who are you in this meeting?",
                            choices=[SelectChoice(value, label)
                                     for value, label in ATTENDS_AS.items()],
                            validators=[DataRequired("Choose who you are in this meeting.")])
