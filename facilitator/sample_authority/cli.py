"""`flask sample-authority --size team|county`: a realistic authority's records, for measuring."""
import click
from flask.cli import with_appcontext

from facilitator.extensions import db
from facilitator.sample_authority import load as loader
from facilitator.sample_authority.sizes import SIZES


@click.command("sample-authority",
               help="Load a realistic authority's records (for measuring) into the configured "
                    "database: its schema by the migrations first, every table but the meeting "
                    "types and the stability authorities emptied.")
@click.option("--size", type=click.Choice(list(SIZES)), required=True,
              help="county: 40 teams, five years; team: one of its teams.")
@click.option("--seed", default=1, show_default=True, type=int,
              help="The same seed gives the same records.")
@click.option("--scale", default=1.0, show_default=True, type=float,
              help="Multiply every count (0.1: a tenth of the size).")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The day the records run up to (default: today).")
@click.option("--yes", is_flag=True,
              help="Empty a database that already has meetings or staff accounts.")
@with_appcontext
def sample_authority(size, seed, scale, today, yes):
    loader.prepare()
    if loader.has_records() and not yes:
        raise click.ClickException(
            "This database already has meetings or staff accounts. Run again with --yes to "
            "empty it and load the sample authority instead.")
    url = db.engine.url.render_as_string(hide_password=True)
    click.echo(f"Building the {size} authority (scale {scale:g}, seed {seed}) into {url} …")
    try:
        result = loader.load(size, scale=scale, seed=seed, today=today and today.date())
    except ValueError as error:
        raise click.ClickException(str(error))
    counts = result["counts"]
    width = max(len(table) for table in counts)
    for table, count in counts.items():
        click.echo(f"  {table:<{width}} {count:>10,}")
    click.echo(f"Loaded {sum(counts.values()):,} rows in {result['seconds']:.1f} s"
               + (f"; the database is {result['database_size'] / 2 ** 30:.2f} GiB."
                  if result["database_size"] else "."))
    click.echo(f"Every account's password: {result['password']}")
    click.echo(f"  Team manager signs in as   {result['team_manager']}")
    click.echo(f"  Administrator signs in as  {result['administrator']}")


def init_app(app):
    app.cli.add_command(sample_authority)
