"""The portal's flash messages (shown once, on the page after a redirect), named as the cookie carries them."""

from __future__ import annotations

from chalicelib.web.i18n import N_
from chalicelib.web.messages import FLASH

PORTAL_FLASH: dict[str, tuple[str, str]] = {
    "signed_in": (N_("You are signed in."), "success"),
    "signed_out": (N_("You are signed out."), "success"),
    "signed_out_everywhere": (N_("You are signed out on every device."), "success"),
    "request_sent": (N_("Thank you. We have your request and will answer soon."), "success"),
    "reply_sent": (N_("Your reply was sent."), "success"),
    "solved": (N_("Marked as solved. Thank you for letting us know."), "success"),
    "reopened": (N_("The request is open again."), "success"),
    "profile_saved": (N_("Your profile is saved."), "success"),
    "file_attached": (N_("The file is attached. Send the form to add it."), "success"),
}
FLASH.update(PORTAL_FLASH)
