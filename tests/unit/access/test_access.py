"""Customer access, on the in-memory repository and a controllable clock: tokens and their hashes, sessions
(sliding expiry, absolute end, sign out everywhere), sign-in attempts (one use, expiry, wrong codes), ticket
links (same link per ticket, renewal, revocation) and rate limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.access import limits, tokens
from chalicelib.access.limits import Limit, RateLimits
from chalicelib.access.links import TicketLinks
from chalicelib.access.sessions import IDLE, MAX_AGE, RENEW_AFTER, Sessions
from chalicelib.access.signins import MAX_FAILURES, Refusal, SignInRefused, SignIns, new_attempt
from chalicelib.core.errors import RateLimited
from tests.fakes.access import InMemoryAccessRepository

KEY = b"k" * 32
T0 = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def repo() -> InMemoryAccessRepository:
    return InMemoryAccessRepository()


# -- tokens ----------------------------------------------------------------------------------------


def test_tokens_are_random_url_safe_and_stored_only_as_their_hash() -> None:
    first, second = tokens.new_token(), tokens.new_token()
    assert first != second and len(first) == 43 and tokens.well_formed(first)
    assert tokens.digest(first) == tokens.digest(first) != first and len(tokens.digest(first)) == 64


def test_derived_secrets_repeat_for_the_same_inputs_and_differ_for_any_other() -> None:
    link = tokens.derive(KEY, "ticket-link", "T1", "C1", "0")
    assert link == tokens.derive(KEY, "ticket-link", "T1", "C1", "0") and tokens.well_formed(link)
    others = {
        tokens.derive(KEY, "ticket-link", "T1", "C1", "1"),
        tokens.derive(KEY, "ticket-link", "T2", "C1", "0"),
        tokens.derive(b"x" * 32, "ticket-link", "T1", "C1", "0"),
        tokens.derive(KEY, "sign-in-link", "T1", "C1", "0"),
    }
    assert link not in others and len(others) == 4


def test_codes_are_six_digits_and_spread_over_the_range() -> None:
    codes = [tokens.derive_code(KEY, "sign-in-code", str(n)) for n in range(2000)]
    assert all(len(c) == 6 and c.isdigit() for c in codes)
    assert len(set(codes)) > 1990 and min(codes) < "100000" < max(codes) > "900000"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("123456", "123456"), ("123 456", "123456"), (" 123-456 ", "123456"), ("12345", None), ("1234567", None),
     ("12a456", None), ("١٢٣٤٥٦", None), (None, None)],
)  # fmt: skip
def test_a_typed_code_is_six_ascii_digits_with_optional_spaces_or_a_dash(typed: str | None, expected: str) -> None:
    assert tokens.normal_code(typed) == expected


@pytest.mark.parametrize("value", ["", "short", "a" * 39, "a" * 65, "has space" * 5, "../../" * 8, None])
def test_malformed_tokens_are_refused_before_any_lookup(value: str | None) -> None:
    assert not tokens.well_formed(value)


# -- sessions --------------------------------------------------------------------------------------


def test_a_session_is_found_by_its_cookie_value_and_only_by_it(repo: InMemoryAccessRepository, clock: Clock) -> None:
    sessions = Sessions(repo, clock)
    started = sessions.start("C1")
    assert started.session.id_hash == tokens.digest(started.token)
    assert sessions.resume(started.token) == started.session
    assert sessions.resume(tokens.new_token()) is None and sessions.resume(None) is None
    assert sessions.resume(started.session.id_hash) is None  # the stored hash is not a cookie value


def test_a_session_slides_while_used_and_ends_after_a_week_idle(repo: InMemoryAccessRepository, clock: Clock) -> None:
    sessions = Sessions(repo, clock)
    started = sessions.start("C1")
    clock.advance(minutes=30)
    assert sessions.resume(started.token) == started.session  # not renewed yet: no write for every page
    clock.advance(days=6)
    renewed = sessions.resume(started.token)
    assert renewed is not None and renewed.expires_at == clock.now + IDLE
    clock.advance(days=6, hours=23)
    assert sessions.resume(started.token) is not None
    clock.advance(days=7, seconds=1)
    assert sessions.resume(started.token) is None


def test_a_session_ends_after_thirty_days_however_much_it_is_used(repo: InMemoryAccessRepository, clock: Clock) -> None:
    sessions = Sessions(repo, clock)
    started = sessions.start("C1")
    while clock.now < T0 + MAX_AGE - RENEW_AFTER:
        assert sessions.resume(started.token) is not None
        clock.advance(days=1)
    clock.now = T0 + MAX_AGE
    assert sessions.resume(started.token) is None


def test_signing_out_everywhere_ends_every_session_of_the_customer_only(
    repo: InMemoryAccessRepository, clock: Clock
) -> None:
    sessions = Sessions(repo, clock)
    laptop, phone, other = sessions.start("C1"), sessions.start("C1"), sessions.start("C2")
    sessions.end_everywhere(laptop.session)
    assert sessions.resume(laptop.token) is None and sessions.resume(phone.token) is None
    assert sessions.resume(other.token) is not None
    again = sessions.start("C1")
    assert sessions.resume(again.token) is not None


def test_signing_out_ends_this_session_only(repo: InMemoryAccessRepository, clock: Clock) -> None:
    sessions = Sessions(repo, clock)
    laptop, phone = sessions.start("C1"), sessions.start("C1")
    sessions.end(laptop.session)
    assert sessions.resume(laptop.token) is None and sessions.resume(phone.token) is not None


# -- sign-in attempts ------------------------------------------------------------------------------


def prepared(signins: SignIns, clock: Clock, email: str = "ann@example.com") -> tuple[str, str, str]:
    token, attempt_hash = new_attempt()
    ready = signins.prepare(attempt_hash, email, clock())
    assert ready is not None
    return token, ready.link, ready.code


def test_a_redelivered_sign_in_message_mails_the_same_link_and_code(
    repo: InMemoryAccessRepository, clock: Clock
) -> None:
    signins = SignIns(repo, KEY, clock)
    _, attempt_hash = new_attempt()
    first = signins.prepare(attempt_hash, "Ann@Example.com", clock())
    clock.advance(minutes=2)
    again = signins.prepare(attempt_hash, "Ann@Example.com", T0)
    assert first == again and first is not None
    stored = repo.get_sign_in(attempt_hash, clock())
    assert stored is not None and stored.email == "ann@example.com" and stored.expires_at == T0 + timedelta(minutes=15)
    assert first.code not in stored.code_mac and first.link not in (stored.link_hash, stored.id_hash)


def test_a_message_delivered_after_its_fifteen_minutes_sends_nothing(
    repo: InMemoryAccessRepository, clock: Clock
) -> None:
    signins = SignIns(repo, KEY, clock)
    clock.advance(minutes=16)
    assert signins.prepare(new_attempt()[1], "ann@example.com", T0) is None


def test_the_link_signs_in_once_and_reading_it_consumes_nothing(repo: InMemoryAccessRepository, clock: Clock) -> None:
    signins = SignIns(repo, KEY, clock)
    token, link, code = prepared(signins, clock)
    for _ in range(3):
        assert signins.pending(link) is not None
    assert signins.confirm_link(link) == "ann@example.com"
    assert signins.pending(link) is None
    for attempt in (lambda: signins.confirm_link(link), lambda: signins.confirm_code(token, code)):
        with pytest.raises(SignInRefused) as refused:
            attempt()
        assert refused.value.reason is Refusal.USED


def test_the_code_works_only_with_the_asking_browsers_attempt(repo: InMemoryAccessRepository, clock: Clock) -> None:
    signins = SignIns(repo, KEY, clock)
    token, _, code = prepared(signins, clock)
    other_token, _, _ = prepared(signins, clock, "eve@example.com")
    with pytest.raises(SignInRefused):
        signins.confirm_code(other_token, code)
    with pytest.raises(SignInRefused) as refused:
        signins.confirm_code(None, code)
    assert refused.value.reason is Refusal.EXPIRED
    assert signins.confirm_code(token, code) == "ann@example.com"


def test_five_wrong_codes_lock_the_attempt(repo: InMemoryAccessRepository, clock: Clock) -> None:
    signins = SignIns(repo, KEY, clock)
    token, link, code = prepared(signins, clock)
    wrong = f"{(int(code) + 7) % 1_000_000:06d}"
    left = []
    for _ in range(MAX_FAILURES):
        with pytest.raises(SignInRefused) as refused:
            signins.confirm_code(token, wrong)
        left.append((refused.value.reason, refused.value.remaining))
    assert left == [(Refusal.WRONG_CODE, n) for n in (4, 3, 2, 1)] + [(Refusal.LOCKED, 0)]
    for attempt in (lambda: signins.confirm_code(token, code), lambda: signins.confirm_link(link)):
        with pytest.raises(SignInRefused) as refused:
            attempt()
        assert refused.value.reason is Refusal.LOCKED


def test_link_and_code_expire_after_fifteen_minutes(repo: InMemoryAccessRepository, clock: Clock) -> None:
    signins = SignIns(repo, KEY, clock)
    token, link, code = prepared(signins, clock)
    clock.advance(minutes=15)
    assert signins.pending(link) is None
    with pytest.raises(SignInRefused) as refused:
        signins.confirm_code(token, code)
    assert refused.value.reason is Refusal.EXPIRED


# -- ticket links ----------------------------------------------------------------------------------


def test_every_mail_of_a_ticket_carries_the_same_link_and_renews_it(
    repo: InMemoryAccessRepository, clock: Clock
) -> None:
    links = TicketLinks(repo, KEY, clock)
    first = links.mint("T1", "C1")
    clock.advance(days=29)
    assert links.mint("T1", "C1") == first
    clock.advance(days=29)
    opened = links.open(first)
    assert opened is not None and (opened.ticket_id, opened.customer_id) == ("T1", "C1")
    clock.advance(days=1, seconds=1)
    assert links.open(first) is None  # 30 days after the last mail
    assert links.mint("T2", "C1") != first and links.mint("T1", "C2") != first


def test_a_revoked_link_stops_working_and_the_next_mail_carries_a_new_one(
    repo: InMemoryAccessRepository, clock: Clock
) -> None:
    links = TicketLinks(repo, KEY, clock)
    old = links.mint("T1", "C1")
    other = links.mint("T2", "C1")
    assert links.revoke("T1") == 1
    assert links.open(old) is None and links.open(other) is not None
    new = links.mint("T1", "C1")
    assert new != old and links.open(new) is not None and links.open(old) is None


def test_a_link_is_never_its_tickets_number_or_id(repo: InMemoryAccessRepository, clock: Clock) -> None:
    link = TicketLinks(repo, KEY, clock).mint("01TICKETID", "C1")
    assert "01TICKETID" not in link and tokens.well_formed(link)
    assert TicketLinks(repo, KEY, clock).open("01TICKETID") is None


# -- rate limits -----------------------------------------------------------------------------------


def test_a_limit_allows_its_count_per_window_and_says_when_to_come_back(
    repo: InMemoryAccessRepository, clock: Clock
) -> None:
    rates = RateLimits(repo, clock)
    limit = Limit("test", 3, 3600)
    for _ in range(3):
        rates.spend(limit, "Ann@Example.com")
    with pytest.raises(RateLimited) as refused:
        rates.spend(limit, "ann@example.com ")  # the same subject, however typed
    assert refused.value.retry_after == 3600
    rates.spend(limit, "bob@example.com")
    clock.advance(hours=1)
    rates.spend(limit, "ann@example.com")


def test_limit_counters_name_no_address(repo: InMemoryAccessRepository, clock: Clock) -> None:
    RateLimits(repo, clock).spend(limits.SIGN_IN_PER_ADDRESS, "ann@example.com")
    assert not any("ann" in key for key in repo._counters)
