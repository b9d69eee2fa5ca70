"""The pieces a meeting's pages are built from, registered by the domains that draw them.

As `live.render` lets each domain draw its own live updates, this registry lets each domain
put its own section on the meeting's pages (the board, scaling, the Stability Actions…) and its
own controls in the chair's console, so the meeting's views know no feature and a new section
lives in its own package (docs/architecture.md, The agenda drives the room).

A section has a key (what an agenda item's kind puts first, see agenda.phases), the words of
its link, a template and an order. `page_values` functions give the values the templates read,
computed once per page for all of a domain's sections.
"""
from dataclasses import dataclass
from typing import Callable

from facilitator.live.render import AUDIENCES

_sections = {}
_console = {}
_values = []


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    template: str
    order: int
    applies: Callable = lambda meeting: True
    audiences: tuple = AUDIENCES


def section(key, label, template, order, *, applies=None, audiences=AUDIENCES):
    """Register a section of the meeting's pages; `applies(meeting)` says if it has one."""
    _sections[key] = Section(key, label, template, order, applies or Section.applies, audiences)


def console(key, template, order, *, applies=None):
    """Register a piece of the chair's console: what runs the meeting, always in view. Pieces
    in order below 90 are its controls; from 90 they go at the end, beside the menu."""
    _console[key] = Section(key, key, template, order, applies or Section.applies, ("chair",))


def page_values(function):
    """Register `function(meeting, audience, seat) -> dict` of values for the templates."""
    _values.append(function)
    return function


def _applying(registry, meeting, audience):
    return [s for s in sorted(registry.values(), key=lambda s: s.order)
            if audience in s.audiences and s.applies(meeting)]


def sections_for(meeting, audience):
    return _applying(_sections, meeting, audience)


def console_for(meeting):
    return _applying(_console, meeting, "chair")


def present(meeting):
    """The keys of the sections everyone in this meeting has (what a phase can show)."""
    return {s.key for s in sections_for(meeting, "projector")}


def page_context(meeting, audience, seat=None):
    """Everything the meeting's page needs: the sections, the console and their values."""
    values = {}
    for function in _values:
        values.update(function(meeting, audience, seat))
    return {**values, "sections": sections_for(meeting, audience),
            "console": console_for(meeting) if audience == "chair" else []}
