"""The board on the meeting's pages: every column with its cards (live/sections.py)."""
from facilitator.board.services import CARD_LIMIT, board_cards
from facilitator.live import sections

sections.section("board", "The board", "board/_columns.html", 30)


@sections.page_values
def board_values(meeting, audience, seat):
    return {"cards": board_cards(meeting), "columns": meeting.type.columns,
            "card_limit": CARD_LIMIT}
