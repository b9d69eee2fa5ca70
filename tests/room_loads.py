"""A real meeting's worth of content, for measuring the room's screens with what a room holds:
twelve people with real-length names, forty cards of 60–200 characters (unevenly spread), a
revealed round of twelve scores with reasons of about 120 characters, fifteen Stability
Actions, the child's views, agency offers and a decision. Built through the app's services, as
the people in the meeting would have built it.
"""
from datetime import timedelta

from facilitator import clock
from facilitator.accounts.services import create_user
from facilitator.actions import services as actions
from facilitator.board import services as board
from facilitator.decisions import services as decisions
from facilitator.extensions import db
from facilitator.meetings.models import Participant
from facilitator.scaling import services as scaling
from tests.conftest import PASSWORD, guest, new_meeting

PEOPLE = [  # (name, attends as)
    ("Samantha Okonkwo-Reynolds", "carer"), ("Christopher Fitzgerald-Hughes", "carer"),
    ("Jordan Lee Taylor", "young_person"), ("Priyanka Ramachandran", "childs_social_worker"),
    ("Bartholomew Winterbottom", "supervising_social_worker"),
    ("Oluwaseun Adeyemi-Clarke", "placement_support"), ("Marguerite Delacroix-Smith", "iro"),
    ("Dr Anastasia Papadopoulou", "camhs"), ("Maximilian Featherstonehaugh", "school"),
    ("Siobhán Ní Mhurchadha", "other"), ("Alessandro Bianchi-Moretti", "placement_support"),
]
COLUMNS = {"worried": 18, "working_well": 12, "needs_to_happen": 10}   # 40 cards
CARD_WORDS = (
    "Mornings before school have become harder since the contact arrangements changed, with "
    "shouting and slammed doors most days of the week and the carers feeling worn down and "
    "unsure who to call when it happens late at night")


def card_text(number):
    """60 to 200 characters, different for every card."""
    length = 60 + (number * 37) % 141
    return f"{number}. {CARD_WORDS}"[:length].rstrip() + "."


def reason_text(number):
    """About 120 characters, a whole sentence."""
    return (f"Reason {number}: school is going better and the carers feel supported, but nights "
            f"are still hard and contact upsets him often.")


def seats(meeting):
    chair = db.session.scalar(db.select(Participant).filter_by(meeting_id=meeting.id,
                                                               meeting_role="chair"))
    people = [guest(meeting, name, attends_as, admit_by=chair) for name, attends_as in PEOPLE]
    return chair, people


def fill_board(meeting, everyone):
    number = 0
    for column, count in COLUMNS.items():
        for _ in range(count):
            number += 1
            board.add_card(meeting.id, everyone[number % len(everyone)], column,
                           card_text(number))


def scores(meeting, chair, everyone, reveal=True, opened=False):
    """Everyone scores in a round (the open one when `opened`), revealed by the chair."""
    round_id = (scaling.open_round_of(meeting.id).id if opened
                else scaling.open_round(meeting.id, chair).payload["round"])
    for number, seat in enumerate(everyone, start=1):
        scaling.submit_score(meeting.id, seat, round_id, 3 + number % 6, reason_text(number))
    if reveal:
        scaling.reveal_round(meeting.id, chair, round_id)
    return round_id


def stability_actions(meeting, chair, everyone, count=15):
    for number in range(1, count + 1):
        owner = everyone[number % len(everyone)]
        actions.propose(meeting.id, chair if number % 3 else owner, {
            "what": f"Action {number}: arrange a respite weekend with the family link carers "
                    f"and agree who drives",
            "owner": str(owner.id), "timescale": "weeks", "timescale_number": str(number % 4 + 1),
            "destination": "childs_plan"})


def voices(meeting, chair, everyone):
    for number, words in enumerate((
            "I like my room and the dog, but I miss my brother at weekends.",
            "I want to stay at this school and keep going to football on Saturdays.",
            "Sometimes I feel nobody listens when I am upset at night.",
            "I would like more time on my phone to talk to my friends."), start=1):
        decisions.add_view(meeting.id, everyone[2], "child", words)
    for agency, offer in (("School", "A mentor twice a week and a quiet space at lunchtime."),
                          ("CAMHS", "Six sessions of family therapy starting next month."),
                          ("Placement support", "Weekly visits and an out-of-hours number."),
                          ("Virtual school", "Tutoring in maths before the exams."),
                          ("Fostering team", "Respite one weekend a month for the carers.")):
        decisions.save_offer(meeting.id, chair, agency, offer)
    decisions.record_decision(meeting.id, chair, {
        "outcome": "maintain", "rationale": "The placement is stable with the support agreed.",
        "review_date": (clock.london_today() + timedelta(days=28)).isoformat()})


def full_room():
    """A chair with a real-length name and their meeting about Jordan, loaded as above."""
    chair_user = create_user("chair@example.org", "Alexandra Montgomery-Whitfield", PASSWORD,
                             "Team Manager")
    meeting = new_meeting(chair_user, child="Jordan Lee Taylor")
    chair, people = full_meeting(meeting)
    return {"meeting": meeting, "chair": chair, "people": people}


def full_meeting(meeting):
    """Everything above in `meeting`; returns the chair's seat and the eleven others."""
    chair, people = seats(meeting)
    everyone = [chair] + people
    fill_board(meeting, everyone)
    voices(meeting, chair, everyone)
    stability_actions(meeting, chair, everyone)
    return chair, people
