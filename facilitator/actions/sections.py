"""What a stability meeting's pages show besides the board and scaling: the earlier actions
a review carries forward, the child's views, each agency's offer, the Stability Actions and
the decision (`actions_board`, from actions.fragments.board)."""
from facilitator.actions.fragments import board
from facilitator.actions.services import carries_forward
from facilitator.decisions.services import has_decision
from facilitator.live import sections


def _stability(meeting):
    return not meeting.type.is_panel


sections.section("carried", "Earlier actions", "actions/_carried.html", 20,
                 applies=lambda meeting: _stability(meeting) and carries_forward(meeting))
sections.section("childs_views", "The child's views", "decisions/_views.html", 40,
                 applies=_stability)
sections.section("offers", "Agency support", "decisions/_offers.html", 50, applies=_stability)
sections.section("actions", "Stability Actions", "actions/_actions.html", 70,
                 applies=_stability)
sections.console("actions", "actions/_console.html", 50, applies=_stability)
sections.section("decision", "Decision", "decisions/_decision.html", 80,
                 applies=lambda meeting: has_decision(meeting.type))


@sections.page_values
def actions_values(meeting, audience, seat):
    return {"actions_board": board(meeting)}
