"""A stability scale as the meeting type defines it (data on MeetingType.scale).

The two scales in the seeds run in opposite directions: on the county's 0–10 scale a higher
score is more stable; on the borough's 1–5 Placement Stability Scale a higher score is less
stable. Everything that says "better" or "worse" asks the scale which way it runs.
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    spec: dict

    @property
    def name(self):
        return self.spec["name"]

    @property
    def minimum(self):
        return self.spec["min"]

    @property
    def maximum(self):
        return self.spec["max"]

    @property
    def values(self):
        return list(range(self.minimum, self.maximum + 1))

    @property
    def question(self):
        return self.spec["question"]

    @property
    def plain(self):
        """The question and the two ends in plain words, for the young person's page."""
        return self.spec["plain"]

    @property
    def higher_is_stable(self):
        return self.spec["stable_end"] == "high"

    def label(self, value):
        return self.spec.get("labels", {}).get(str(value), "")

    def description(self, value):
        return self.spec.get("descriptions", {}).get(str(value), "")

    def describe_change(self, change):
        """'2 points towards stability', in the scale's own direction; '' for no change."""
        if not change:
            return "no change"
        towards = (change > 0) == self.higher_is_stable
        size = abs(change)
        points = f"{size:g} point{'' if size == 1 else 's'}"
        return f"{points} {'towards' if towards else 'away from'} stability"
