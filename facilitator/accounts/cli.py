import click

from facilitator.accounts.services import create_user
from facilitator.accounts.views import bp
from facilitator.errors import Refused


@bp.cli.command("create-user", help="Create a staff account.")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.option("--job-title", default="", help="For example Team Manager.")
@click.option("--admin", is_flag=True, help="May adjust the meeting types for the authority.")
@click.password_option()
def create_user_command(email, name, job_title, admin, password):
    try:
        user = create_user(email, name, password, job_title, is_admin=admin)
    except Refused as refused:
        raise click.ClickException(refused.message)
    click.echo(f"Created {user.name} <{user.email}>{' as an administrator' if admin else ''}.")
