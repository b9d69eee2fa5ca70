"""What a person types, made safe to store: trimmed, no control characters, within its limit."""
import unicodedata

from facilitator.errors import Refused


def clean_text(value, *, label, limit, required=True, field=None):
    """`field` names the form field the text came from: a refusal is shown beside it."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float, type(None))):
        raise Refused(f"Enter {label} as text.", field=field)  # a list is nobody's words
    text = "" if value is None else str(value)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Control characters (NUL, escape sequences…) never belong in a note; newlines and tabs do.
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")
    text = text.strip()
    if required and not text:
        raise Refused(f"Enter {label}.", field=field)
    if len(text) > limit:
        raise Refused(f"{label[0].upper()}{label[1:]} must be {limit} characters or fewer "
                      f"(this has {len(text)}).", field=field)
    return text


# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Text as a spreadsheet will not run it; true/false and empty for the rest."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
