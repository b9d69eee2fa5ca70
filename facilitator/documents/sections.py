"""The way to close the meeting, in the chair's console."""
from facilitator.live import sections

sections.console("documents", "documents/_console.html", 90)
