"""The forms of the stability pages. They read and re-show what was typed; the rules (which
questions the authority asks, the scale's range, what is required) are the services', so a
refusal reads the same from a form as from a test."""
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional

from facilitator.fields import RealDateField, RealTimeField
from facilitator.stability.models import INVOLVEMENT

YES_NO = [SelectChoice("yes", "Yes"), SelectChoice("no", "No")]


def yes_no(field):
    return {"yes": True, "no": False}.get(field.data)


def number(field):
    value = (field.data or "").strip()
    return int(value) if value.isdigit() else None


def scale_choices(scale):
    return [SelectChoice(str(v), f"{v} – {scale.label(v)}" if scale.label(v) else str(v))
            for v in scale.values]


class WhenMixin:
    """A date and a London time, two fields as the GOV.UK pattern has them."""

    @staticmethod
    def when_fields(what):
        return (RealDateField(f"Date {what}", what=f"the date {what}",
                              validators=[InputRequired(f"Enter the date {what}.")]),
                RealTimeField(f"Time {what}", what=f"the time {what}",
                              validators=[InputRequired(f"Enter the time {what}.")]))


class ConcernForm(FlaskForm):
    case_reference = StringField("Child's case reference")
    child_name = StringField("Child's name")
    team = SelectField("Child's team", validate_choice=False)
    raised_by = StringField("Who raised the concern")
    relationship = StringField("Their relationship to the child",
                               description="For example foster carer, social worker, school.")
    raised_on, raised_time = WhenMixin.when_fields("the concern was raised")
    concern = TextAreaField("The issue or concern", description="In the words of the person "
                            "who raised it.")
    involvement = RadioField("Current involvement with the Adolescent Support Team or CAMHS",
                             validate_choice=False,
                             choices=[SelectChoice(k, v) for k, v in INVOLVEMENT.items()])
    involvement_worker = StringField("Name and contact details of the AST or CAMHS worker",
                                     description="If the child is currently involved.")
    first_consultation = RadioField("Is this the first consultation about this placement?",
                                    choices=YES_NO, validate_choice=False)
    earlier_consultations = StringField("Dates of the earlier consultations",
                                        description="If this is not the first.")
    notice_given = RadioField("Has the foster carer given 28 days' notice?", choices=YES_NO,
                              validate_choice=False)
    immediate_risk = RadioField("Are there signs that the placement is at immediate risk?",
                                choices=YES_NO, validate_choice=False)
    scale = RadioField("Where is the placement on the scale?", validate_choice=False)
    outcome = TextAreaField("Outcome of the consultation")
    sent_to = StringField("Who the record was sent to")
    named_worker = SelectField("Named worker", validate_choice=False,
                               description="Told if telephone monitoring escalates.")

    def for_authority(self, authority, teams, staff):
        self.scale.choices = scale_choices(authority.scale)
        self.team.choices = [SelectChoice("", "Not recorded")] + [
            SelectChoice(str(t.id), t.name) for t in teams]
        self.named_worker.choices = [SelectChoice("", "None")] + [
            SelectChoice(str(u.id), u.name) for u in staff]
        return self


class RouteForm(FlaskForm):
    route = RadioField("Route", validate_choice=False)
    reason = TextAreaField("Reason for choosing a different route",
                           description="Needed only if you do not accept the proposed route.")
    call_who = StringField("Who to call for telephone monitoring",
                           description="Names and telephone numbers, if the route monitors "
                                       "the placement.")


class CallForm(FlaskForm):
    called_on, called_time = WhenMixin.when_fields("of the call")
    scale = SelectField("Scale at this call", validate_choice=False)
    note = TextAreaField("Note of the call")


class EndMonitoringForm(FlaskForm):
    reason = TextAreaField("Why monitoring is ending")


class MoveForm(FlaskForm):
    case_reference = StringField("Child's case reference")
    child_name = StringField("Child's name")
    team = SelectField("Child's team", validate_choice=False)
    moved_on = RealDateField("Date of the move", what="the date of the move",
                             validators=[InputRequired("Enter the date of the move.")])
    from_placement = StringField("Moved from", description="The placement they left.")
    to_placement = StringField("Moved to")
    reason = TextAreaField("Reason for the move")

    def for_teams(self, teams):
        self.team.choices = [SelectChoice("", "Not recorded")] + [
            SelectChoice(str(t.id), t.name) for t in teams]
        return self


class FilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    team = SelectField("Team", validate_choice=False, validators=[Optional()])
    locality = SelectField("Locality", validate_choice=False, validators=[Optional()])
    worker = SelectField("Worker", validate_choice=False, validators=[Optional()])
