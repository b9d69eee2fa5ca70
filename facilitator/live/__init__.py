"""The live layer: the per-meeting event log, the one write path, broadcast and replay.

Every change to a meeting goes through `record_change`; Socket.IO handlers and HTTP views are
thin callers of domain services that use it. See docs/live-protocol.md.
"""


def init_app(app):
    from facilitator.live import sockets  # noqa: F401
    from facilitator.live.http import page_refusal, refusal_for
    from facilitator.live.render import chair_only, own_only

    for helper in (refusal_for, page_refusal, chair_only, own_only):
        app.add_template_global(helper)
