"""Whose children a staff list shows: a team, a locality, a worker, or everyone. The filter is a
condition on the child's own team and worker (kept on the child), so every list applies it in
the database with one join, however many records an authority has."""
from dataclasses import dataclass

from sqlalchemy import select, true

from facilitator.meetings.models import Child
from facilitator.stability.models import Team


@dataclass(frozen=True)
class Scope:
    team_id: int | None = None
    locality_id: int | None = None
    worker_id: int | None = None

    @classmethod
    def for_person(cls, user, args, number):
        """The filters asked for; with none asked for, a member of a team starts from their
        team's children (a team manager's own work). `number` reads an id from `args`."""
        if not any(name in args for name in ("team", "locality", "worker")):
            return cls(team_id=user.team_id)
        return cls(team_id=number("team"), locality_id=number("locality"),
                   worker_id=number("worker"))

    @property
    def is_everyone(self):
        return not (self.team_id or self.locality_id or self.worker_id)

    def children(self):
        """The ids of the children in scope, as a subquery."""
        query = select(Child.id)
        if self.team_id:
            query = query.where(Child.team_id == self.team_id)
        if self.worker_id:
            query = query.where(Child.worker_id == self.worker_id)
        if self.locality_id:
            query = query.join(Team, Team.id == Child.team_id).where(
                Team.locality_id == self.locality_id)
        return query

    def holds(self, child_id_column):
        """A condition: the row's child is in scope."""
        return true() if self.is_everyone else child_id_column.in_(self.children())

    def args(self):
        """The filters as query-string values, for links that keep them (pagination)."""
        return {"team": self.team_id or "", "locality": self.locality_id or "",
                "worker": self.worker_id or ""}
