"""The portal's forms: reading and checking their fields, and their messages in the customer's language."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.web.forms import FormError, FormProblem, problem
from chalicelib.web.i18n import LANGUAGES, N_, translator

if TYPE_CHECKING:
    from chalicelib.access.signins import SignInRefused
    from chalicelib.domain.tickets import TicketType
    from chalicelib.portal.service import Profile
    from chalicelib.web.forms import Form

MAX_SUBJECT = 200
MAX_MESSAGE = 20_000
MAX_NAME = 200
NOT_AN_ADDRESS = N_("Enter an email address like name@example.com.")
WRONG_CODE = N_("That code is not right. Check the mail and try again (%(left)s tries left).")
NOT_A_CODE = N_("Enter the six digits from the mail.")
CODE_GONE = N_("This code no longer works: it expired, was used, or was tried too often. Ask for a new one.")
NOT_A_ZONE = N_("Choose a time zone from the list.")
# The request types a customer can choose (the desk's ticket types), as customers name them.
REQUEST_TYPES: dict[str, str] = {
    "question": N_("A question"),
    "incident": N_("Something does not work"),
    "problem": N_("A problem that keeps coming back"),
    "task": N_("Something we should do for you"),
}
TIME_ZONES = (
    "UTC", "Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Paris", "Europe/Berlin", "Europe/Madrid",
    "Europe/Rome", "Europe/Amsterdam", "Europe/Stockholm", "Europe/Warsaw", "Europe/Riga", "Europe/Vilnius",
    "Europe/Tallinn", "Europe/Helsinki", "Europe/Athens", "Europe/Sofia", "Europe/Bucharest", "Europe/Kyiv",
    "Europe/Istanbul", "Europe/Moscow", "Asia/Dubai", "Asia/Tbilisi", "Asia/Yerevan", "Asia/Almaty",
    "Asia/Tashkent", "Asia/Kolkata", "Asia/Bangkok", "Asia/Singapore", "Asia/Shanghai", "Asia/Tokyo",
    "Australia/Sydney", "Pacific/Auckland", "America/St_Johns", "America/Halifax", "America/New_York",
    "America/Chicago", "America/Denver", "America/Phoenix", "America/Los_Angeles", "America/Anchorage",
    "Pacific/Honolulu", "America/Mexico_City", "America/Bogota", "America/Sao_Paulo", "America/Buenos_Aires",
    "Africa/Lagos", "Africa/Cairo", "Africa/Johannesburg", "Africa/Nairobi",
)  # fmt: skip


def localized(error: FormError, locale: str) -> dict[str, str]:
    """The form's problems by field, in ``locale``."""
    translations = translator(locale)
    return {p.field: p.localized(translations) if isinstance(p, FormProblem) else p.message for p in error.problems}


def email_address(form: Form) -> str:
    """A deliverable address (the mail channel's rules), lower-cased; raises ``FormError``."""
    from chalicelib.mailflow.compose import mailbox

    typed = form.text("email", max_length=254)
    found = mailbox(typed) if "@" in typed and " " not in typed else None
    if found is None:
        raise FormError([problem("email", NOT_AN_ADDRESS)])
    return found.email


def code_text(locale: str) -> str:
    return translator(locale).gettext(NOT_A_CODE)


def refusal_text(refused: SignInRefused, locale: str) -> str:
    from chalicelib.access.signins import Refusal

    translations = translator(locale)
    if refused.reason is Refusal.WRONG_CODE:
        return translations.gettext(WRONG_CODE) % {"left": refused.remaining}
    return translations.gettext(CODE_GONE)


def request_type(form: Form) -> TicketType | None:
    from chalicelib.domain.tickets import TicketType

    chosen = form.get("type") or ""
    if not chosen:
        return None
    return TicketType(form.choice("type", tuple(REQUEST_TYPES)))


def profile_of(form: Form) -> Profile:
    from chalicelib.portal.service import Profile

    name = form.text("name", max_length=MAX_NAME)
    language = form.choice("language", ("", *LANGUAGES)) or None
    zone = form.get("time_zone") or ""
    if zone and zone not in TIME_ZONES:
        raise FormError([problem("time_zone", NOT_A_ZONE)])
    updates = form.choice("mail_updates", ("yes", "no")) == "yes"
    return Profile(name, language, zone or None, updates)


def profile_choices() -> dict[str, object]:
    return {"time_zones": TIME_ZONES, "languages": LANGUAGES}
