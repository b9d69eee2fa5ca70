"""Socket.IO room names, in one place."""


def audience_room(meeting_id, audience):
    return f"meeting-{meeting_id}-{audience}"


def seat_room(participant_id):
    """Everything one participant has open: lobby waiting, removal, a change of role."""
    return f"seat-{participant_id}"
