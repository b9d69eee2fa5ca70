"""The one exception services raise for a change that must not happen."""


class Refused(Exception):
    """A change the person may not make, or input that is not valid.

    The message is shown to the person as it is, so write it for them.
    `status` is the HTTP status a view answers with.
    """

    def __init__(self, message, status=400):
        super().__init__(message)
        self.message = message
        self.status = status
