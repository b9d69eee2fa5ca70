from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length


class SignInForm(FlaskForm):
    email = EmailField("Email address", validators=[DataRequired("Enter your email address.")])
    password = PasswordField("Password", validators=[DataRequired("Enter your password.")])


class AccountForm(FlaskForm):
    """An administrator sets up a member of staff's account."""

    email = EmailField("Work email address",
                       validators=[DataRequired("Enter their work email address.")])
    name = StringField("Full name", validators=[
        DataRequired("Enter their name."),
        Length(max=120, message="Their name must be 120 characters or fewer.")])
    job_title = StringField("Job title", description="For example Team Manager.", validators=[
        Length(max=120, message="The job title must be 120 characters or fewer.")])
    password = PasswordField("First password",
                             description="At least 10 characters. Give it to them in person.",
                             validators=[DataRequired("Enter a first password.")])
    is_admin = BooleanField("Administrator (manages accounts and meeting types)")
