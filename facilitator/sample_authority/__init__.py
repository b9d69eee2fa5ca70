"""A realistic authority on demand, for measuring: `flask sample-authority --size team|county`
builds five years of an authority's records (sizes.py) as plain rows (build.py) and loads them
fast (load.py)."""


def init_app(app):
    from facilitator.sample_authority import cli

    cli.init_app(app)
