import click

from facilitator.accounts.services import create_user
from facilitator.accounts.views import bp
from facilitator.errors import Refused


@bp.cli.command("create-user", help="Create a staff account.")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.option("--job-title", default="", help="For example Team Manager.")
@click.password_option()
def create_user_command(email, name, job_title, password):
    try:
        user = create_user(email, name, password, job_title)
    except Refused as refused:
        raise click.ClickException(refused.message)
    click.echo(f"Created {user.name} <{user.email}>.")
