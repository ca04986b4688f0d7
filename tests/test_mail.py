"""mail.py against a real SMTP server on 127.0.0.1 (aiosmtpd): TLS, login, faults, the record."""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.policy
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from generator import mail
from generator.errors import MailError
from generator.mail import SmtpSettings, pending, read_record, send_digest

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 12, 3)
KEY = "daily/2026-12-03"
USER, PASSWORD = "papers", "s3cret-pass"
ALICE, BOB = "alice@example.org", "bob@example.net"
NOW = datetime(2026, 12, 3, 5, 2, 11, tzinfo=UTC)
TEXT = "Daily Papers, 3 December 2026\n\n1. A paper — with ünïcode\n"
HTML = '<!doctype html><p style="color:#222">Daily Papers — <a href="https://x.test/">ü</a></p>\n'


# A self-signed certificate for 127.0.0.1, made once per session


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(cert.pem, key.pem) for 127.0.0.1; also the CA file the client trusts."""
    # The `cryptography` package is not among the pinned ones; the openssl command is.
    if shutil.which("openssl") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("openssl is missing: the mail tests make their certificate with it")
        pytest.skip("openssl not found: cannot make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1",
         "-addext", "basicConstraints=critical,CA:TRUE"],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


def server_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    """The server side of TLS with the test certificate."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


# The server: an inbox handler with switchable faults


@dataclass
class Received:
    """One message the server took: envelope and bytes, and whether TLS carried it."""

    mail_from: str
    rcpt_tos: list[str]
    content: bytes
    tls: bool

    def message(self) -> EmailMessage:
        parsed = email.message_from_bytes(self.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class Inbox:
    """aiosmtpd handler: keeps what it takes; replies and faults set by each test."""

    received: list[Received] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)  # recipient -> reply
    data_replies: list[str] = field(default_factory=list)  # replies to DATA before a 250
    drops: int = 0  # DATA commands answered by closing the connection
    stall: float = 0.0  # seconds to wait before answering DATA
    logins: list[tuple[bytes, bytes]] = field(default_factory=list)
    in_data: threading.Event = field(default_factory=threading.Event)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.in_data.set()
        if self.stall:
            await asyncio.sleep(self.stall)
        if self.drops:
            self.drops -= 1
            assert isinstance(server.transport, asyncio.Transport)
            server.transport.abort()  # the connection drops before the end of DATA is answered
            return "250 OK"  # never reaches the client
        if self.data_replies:
            return self.data_replies.pop(0)
        assert server.transport is not None and isinstance(envelope.content, bytes)
        tls = server.transport.get_extra_info("cipher") is not None
        self.received.append(
            Received(str(envelope.mail_from), list(envelope.rcpt_tos), envelope.content, tls)
        )
        return "250 OK: queued"

    def authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        assert isinstance(data, LoginPassword)
        self.logins.append((data.login, data.password))
        # handled=False: aiosmtpd answers a failure with its 535 (handled=True: it says nothing).
        good = (data.login, data.password) == (USER.encode(), PASSWORD.encode())
        return AuthResult(success=good, handled=False)


def free_port() -> int:
    """A port nothing listens on now (the kernel's pick, released at once)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def smtp_server(inbox: Inbox, **options: Any) -> Iterator[int]:
    """Run aiosmtpd on 127.0.0.1 in a thread; yield its port."""
    port = free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        server_hostname="mail.test",
        authenticator=inbox.authenticate,
        ready_timeout=10,
        **options,
    )
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


@pytest.fixture
def inbox() -> Inbox:
    return Inbox()


@pytest.fixture
def starttls_server(inbox: Inbox, certificate: tuple[Path, Path]) -> Iterator[int]:
    """STARTTLS required, AUTH required and only over TLS: a submission server (587)."""
    with smtp_server(
        inbox,
        tls_context=server_context(certificate),
        require_starttls=True,
        auth_required=True,
        auth_require_tls=True,
    ) as port:
        yield port


def settings_for(port: int, certificate: tuple[Path, Path], **changes: Any) -> SmtpSettings:
    """STARTTLS settings for a test server; changes override fields."""
    base = SmtpSettings(
        host="127.0.0.1",
        sender=Address("Daily Papers", addr_spec="papers@example.com"),
        recipients=(Address(addr_spec=ALICE), Address("Bob", addr_spec=BOB)),
        security="starttls",
        port=port,
        user=USER,
        password=PASSWORD,
        cafile=certificate[0],
        timeout=5.0,
    )
    return replace(base, **changes)


def digest_eml(subject: str = "Daily Papers, Thu 3 Dec 2026: 17 papers (3 match) — ü") -> bytes:
    """A digest-like e-mail: multipart/alternative, a text and an HTML part, list headers."""
    message = EmailMessage(policy=email.policy.SMTP)
    message["Subject"] = subject
    message["Message-ID"] = "<daily-2026-12-03@papers.example.com>"
    message["Date"] = "Thu, 03 Dec 2026 05:00:00 +0000"
    message["List-Id"] = "Daily Papers <daily.papers.example.com>"
    message["List-Unsubscribe"] = "<https://papers.example.com/unsubscribe>"
    message.set_content(TEXT, cte="quoted-printable")
    message.add_alternative(HTML, subtype="html", cte="8bit")  # 8bit: BODY=8BITMIME
    return message.as_bytes()


class Sleeps(list[float]):
    """An injected sleep that only notes how long it was asked to wait."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def send(eml: bytes, settings: SmtpSettings, record: Path, **kwargs: Any) -> mail.Outcome:
    kwargs.setdefault("sleep", Sleeps())
    kwargs.setdefault("clock", lambda: NOW)
    kwargs.setdefault("today", TODAY)
    return send_digest(eml, settings, record, kwargs.pop("key", KEY), **kwargs)


# Delivery, read back


def check_delivered(received: Received, eml: bytes, recipients: list[str]) -> None:
    """Envelope, headers and both parts as sent; From and To from the settings."""
    original = email.message_from_bytes(eml, policy=email.policy.default)
    assert isinstance(original, EmailMessage)
    message = received.message()
    assert received.tls
    assert received.mail_from == "papers@example.com"
    assert received.rcpt_tos == recipients
    for name in ("Subject", "Message-ID", "List-Id", "List-Unsubscribe"):
        assert message[name] == original[name]
    # The time of sending, not the digest's: a day in the past sorts it below newer mail.
    assert original["Date"] == "Thu, 03 Dec 2026 05:00:00 +0000"
    assert message["Date"] == "Thu, 03 Dec 2026 05:02:11 +0000"
    assert message["From"] == "Daily Papers <papers@example.com>"
    assert message["To"] == f"{ALICE}, Bob <{BOB}>"
    assert message.get_content_type() == "multipart/alternative"
    parts = [(part.get_content_type(), part.get_content()) for part in message.iter_parts()]
    assert parts == [
        (part.get_content_type(), part.get_content()) for part in original.iter_parts()
    ]
    # Lines end in CRLF in mail (RFC 5322 section 2.3): the texts are those of the digest.
    assert [content.replace("\r\n", "\n") for _, content in parts] == [TEXT, HTML]
    assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]


def test_starttls_with_login_delivers_the_digest_unchanged(
    starttls_server: int, inbox: Inbox, certificate: tuple[Path, Path], tmp_path: Path
) -> None:
    eml = digest_eml()
    outcome = send(eml, settings_for(starttls_server, certificate), tmp_path / "mail-sent.yaml")
    assert (outcome.status, outcome.sent) == (mail.SENT, True)
    assert str(outcome) == f"{KEY}: sent to 2 recipients"
    assert inbox.logins == [(USER.encode(), PASSWORD.encode())]
    [received] = inbox.received
    check_delivered(received, eml, [ALICE, BOB])


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
def test_implicit_tls_delivers_the_digest_unchanged(
    inbox: Inbox, certificate: tuple[Path, Path], tmp_path: Path
) -> None:
    # aiosmtpd counts only STARTTLS as TLS for auth_require_tls; here TLS is there from the start.
    options = {"ssl_context": server_context(certificate), "auth_require_tls": False}
    with smtp_server(inbox, auth_required=True, **options) as port:
        settings = settings_for(port, certificate, security="tls")
        eml = digest_eml()
        outcome = send(eml, settings, tmp_path / "mail-sent.yaml")
    assert (outcome.status, outcome.sent) == (mail.SENT, True), outcome
    [received] = inbox.received
    check_delivered(received, eml, [ALICE, BOB])


def test_the_record_says_when_and_which_message(
    starttls_server: int, certificate: tuple[Path, Path], tmp_path: Path
) -> None:
    record = tmp_path / "mail-sent.yaml"
    send(digest_eml(), settings_for(starttls_server, certificate), record)
    assert record.read_text() == (
        mail.RECORD_HEADER + "daily/2026-12-03:\n"
        "  state: sent\n"
        "  sent: 2026-12-03T05:02:11Z\n"
        "  message_id: <daily-2026-12-03@papers.example.com>\n"
    )


# Never twice, never lost


def test_a_rerun_after_success_sends_nothing(
    starttls_server: int, inbox: Inbox, certificate: tuple[Path, Path], tmp_path: Path
) -> None:
    settings, record = settings_for(starttls_server, certificate), tmp_path / "mail-sent.yaml"
    assert send(digest_eml(), settings, record).sent
    text = record.read_text()
    again = send(digest_eml(), settings, record)
    assert (again.status, again.sent) == (mail.SENT, False)
    assert "already sent 2026-12-03T05:02:11Z" in again.message
    assert len(inbox.received) == 1
    assert record.read_text() == text
    assert pending(record, [KEY]) == []


def test_refused_connections_fail_after_three_tries_then_the_next_run_sends_once(
    inbox: Inbox, certificate: tuple[Path, Path], tmp_path: Path
) -> None:
    record, sleeps = tmp_path / "mail-sent.yaml", Sleeps()
    nobody = settings_for(free_port(), certificate)  # nothing listens there
    outcome = send(digest_eml(), nobody, record, sleep=sleeps)
    assert (outcome.status, outcome.sent) == (mail.TEMPORARY, False)
    assert outcome.message == (
        f"not sent: 127.0.0.1:{nobody.port}: connecting failed: Connection refused"
    )
    assert sleeps == list(mail.BACKOFF)
    assert read_record(record)[KEY] == {
        "state": "failed",
        "first_failed": "2026-12-03",
        "last_failed": "2026-12-03",
        "failures": 1,
        "error": f"DPA_SMTP_HOST:{nobody.port}: connecting failed: Connection refused",
    }
    assert pending(record, []) == [KEY]  # tomorrow's run sends it, though it asks for its own

    tomorrow = TODAY + timedelta(days=1)
    tls = {"tls_context": server_context(certificate), "require_starttls": True}
    with smtp_server(inbox, auth_required=True, **tls) as port:
        settings = replace(nobody, port=port)
        assert send(digest_eml(), settings, record, today=tomorrow).status == mail.SENT
        assert send(digest_eml(), settings, record, today=tomorrow).sent is False
    assert len(inbox.received) == 1
    assert read_record(record)[KEY]["state"] == "sent"


def test_a_421_is_retried_and_the_second_try_sends(
    starttls_server: int, inbox: Inbox, certificate: tuple[Path, Path], tmp_path: Path
) -> None:
    inbox.data_replies = ["421 4.3.2 System not accepting network messages, try later"]
    sleeps = Sleeps()
    outcome = send(
        digest_eml(), settings_for(starttls_server, certificate), tmp_path / "r.yaml", sleep=sleeps
    )
    assert (outcome.status, outcome.sent) == (mail.SENT, True)
    assert sleeps == [mail.BACKOFF[0]]
    assert len(inbox.received) == 1
    assert read_record(tmp_path / "r.yaml")[KEY]["state"] == "sent"


def test_a_wrong_password_is_permanent_and_not_retried(
    starttls_server: int, inbox: Inbox, certificate: tuple[Path, Path], tmp_path: Path
) -> None:
    settings = settings_for(starttls_server, certificate, password="wrong")
    sleeps, record = Sleeps(), tmp_path / "mail-sent.yaml"
    outcome = send(digest_eml(), settings, record, sleep=sleeps)
    assert (outcome.status, outcome.sent) == (mail.PERMANENT, False)
    assert outcome.message == (
        f"not sent: 127.0.0.1:{starttls_server} refused the login of papers: "
        "535 5.7.8 Authentication credentials invalid"
    )
    assert sleeps == [] and inbox.received == []
    assert read_record(record)[KEY]["error"] == (
        f"DPA_SMTP_HOST:{starttls_server} refused the login of DPA_SMTP_USER: "
        "535 5.7.8 Authentication credentials invalid"
    )


def test_one_recipient_of_two_refused_counts_as_sent_to_the_other(
    starttls_server: int, inbox: Inbox, certificate: tuple[Path, Path], tmp_path: Path
) -> None:
    inbox.refuse = {BOB: "550 5.1.1 <bob@example.net>: Recipient address rejected"}
    record = tmp_path / "mail-sent.yaml"
    settings = settings_for(starttls_server, certificate)
    outcome = send(digest_eml(), settings, record)
    assert (outcome.status, outcome.sent) == (mail.PERMANENT, True)
    reply = "550 5.1.1 <bob@example.net>: Recipient address rejected"
    assert outcome.refused == {BOB: reply}
    assert outcome.message == f"sent, but refused for {BOB}: {reply}"
    [received] = inbox.received
    assert received.rcpt_tos == [ALICE]
    # The record may be public: it names the recipient by its place in DPA_MAIL_TO.
    entry = read_record(record)[KEY]
    public_reply = "550 5.1.1 <DPA_MAIL_TO[2]>: Recipient address rejected"
    assert (entry["state"], entry["refused"]) == ("sent", {"DPA_MAIL_TO[2]": public_reply})
    assert BOB not in record.read_text()
    # Sending again would give Alice a second copy: the rerun sends nothing.
    assert send(digest_eml(), settings, record).sent is False
    assert len(inbox.received) == 1


def test_every_recipient_refused_is_a_permanent_failure(
    starttls_server: int, inbox: Inbox, certificate: tuple[Path, Path], tmp_path: Path
) -> None:
    inbox.refuse = {ALICE: "550 5.1.1 no such user", BOB: "550 5.1.1 no such user"}
    outcome = send(digest_eml(), settings_for(starttls_server, certificate), tmp_path / "r.yaml")
    assert (outcome.status, outcome.sent) == (mail.PERMANENT, False)
    assert "refused every recipient" in outcome.message and BOB in outcome.message


def test_a_connection_dropped_during_data_is_retried(
    starttls_server: int, inbox: Inbox, certificate: tuple[Path, Path], tmp_path: Path
) -> None:
    inbox.drops = 1
    record, sleeps = tmp_path / "mail-sent.yaml", Sleeps()
    outcome = send(digest_eml(), settings_for(starttls_server, certificate), record, sleep=sleeps)
    # No 250 to the end of DATA: the server has not taken the mail (RFC 5321 section 6.1).
    assert (outcome.status, outcome.sent) == (mail.SENT, True)
    assert sleeps == [mail.BACKOFF[0]]
    assert len(inbox.received) == 1
    assert read_record(record)[KEY]["state"] == "sent"


def test_a_connection_dropped_every_time_is_a_temporary_failure(
    starttls_server: int, inbox: Inbox, certificate: tuple[Path, Path], tmp_path: Path
) -> None:
    inbox.drops = 3
    record = tmp_path / "mail-sent.yaml"
    outcome = send(digest_eml(), settings_for(starttls_server, certificate), record)
    assert (outcome.status, outcome.sent) == (mail.TEMPORARY, False)
    assert "closed the connection while sending the message" in outcome.message
    assert read_record(record)[KEY]["state"] == "failed"  # not `sending`: known not taken


def test_no_starttls_means_no_password_and_no_mail(
    inbox: Inbox, certificate: tuple[Path, Path], tmp_path: Path
) -> None:
    # A server offering AUTH in clear, as a stripped STARTTLS would look.
    with smtp_server(inbox, auth_require_tls=False) as port:
        settings = settings_for(port, certificate)
        sleeps = Sleeps()
        outcome = send(digest_eml(), settings, tmp_path / "r.yaml", sleep=sleeps)
    assert (outcome.status, outcome.sent) == (mail.PERMANENT, False)
    assert outcome.message == (
        f"not sent: 127.0.0.1:{port} offers no STARTTLS: "
        "refusing to send the password and the mail unencrypted"
    )
    assert inbox.logins == [] and inbox.received == [] and sleeps == []
    entry = read_record(tmp_path / "r.yaml")[KEY]  # tried again by the next run
    assert (entry["state"], entry["failures"]) == ("failed", 1)
    assert entry["error"] == (
        f"DPA_SMTP_HOST:{port} offers no STARTTLS: "
        "refusing to send the password and the mail unencrypted"
    )


def test_an_untrusted_certificate_is_refused(
    starttls_server: int, inbox: Inbox, certificate: tuple[Path, Path], tmp_path: Path
) -> None:
    settings = settings_for(starttls_server, certificate, cafile=None)  # the system's CAs
    outcome = send(digest_eml(), settings, tmp_path / "r.yaml")
    assert (outcome.status, outcome.sent) == (mail.PERMANENT, False)
    assert "certificate not trusted" in outcome.message
    assert inbox.logins == []


def test_three_days_after_the_first_failure_it_still_goes_out(
    starttls_server: int, inbox: Inbox, certificate: tuple[Path, Path], tmp_path: Path
) -> None:
    record = tmp_path / "mail-sent.yaml"
    nobody = settings_for(free_port(), certificate)
    assert send(digest_eml(), nobody, record, attempts=1).status == mail.TEMPORARY
    day3 = TODAY + timedelta(days=3)
    outcome = send(digest_eml(), settings_for(starttls_server, certificate), record, today=day3)
    assert (outcome.status, outcome.sent) == (mail.SENT, True)
    assert len(inbox.received) == 1


def test_stale_after_three_days_is_reported_once_and_not_sent(
    starttls_server: int, inbox: Inbox, certificate: tuple[Path, Path], tmp_path: Path
) -> None:
    record = tmp_path / "mail-sent.yaml"
    settings = settings_for(starttls_server, certificate)
    nobody = settings_for(free_port(), certificate)
    assert send(digest_eml(), nobody, record, attempts=1).status == mail.TEMPORARY
    day3 = TODAY + timedelta(days=3)
    assert send(digest_eml(), nobody, record, today=day3, attempts=1).status == mail.TEMPORARY
    entry = read_record(record)[KEY]
    assert (entry["first_failed"], entry["last_failed"], entry["failures"]) == (
        "2026-12-03",
        "2026-12-06",
        2,
    )
    # Four days after the first failure it is stale: reported, not sent.
    day4 = TODAY + timedelta(days=4)
    assert pending(record, []) == [KEY]
    outcome = send(digest_eml(), settings, record, today=day4)
    assert (outcome.status, outcome.sent) == (mail.GIVEN_UP, False)
    assert outcome.message.startswith("failing since 2026-12-03 (last: DPA_SMTP_HOST:")
    assert outcome.message.endswith("stale after 3 days, not sent")
    entry = read_record(record)[KEY]
    assert (entry["state"], entry["reported"]) == ("stale", "2026-12-07")
    assert pending(record, [KEY]) == []
    # Reported once: a later run neither sends it nor fails on it again.
    later = send(digest_eml(), settings, record, today=day4 + timedelta(days=1))
    assert (later.status, later.sent) == (mail.SENT, False)
    assert inbox.received == []


def test_two_racing_runs_send_once(
    starttls_server: int, inbox: Inbox, certificate: tuple[Path, Path], tmp_path: Path
) -> None:
    inbox.stall = 0.3  # both runs are in flight while the first one sends
    outcomes = race(settings_for(starttls_server, certificate), tmp_path / "mail-sent.yaml")
    assert sorted(outcome.sent for outcome in outcomes) == [False, True]
    assert {outcome.status for outcome in outcomes} == {mail.SENT}
    assert len(inbox.received) == 1


def test_without_the_lock_racing_runs_would_send_twice(
    starttls_server: int,
    inbox: Inbox,
    certificate: tuple[Path, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The race above is real: take the lock away and both runs send."""
    inbox.stall = 0.3
    monkeypatch.setattr(mail, "_locked", lambda record: contextlib.nullcontext())
    race(settings_for(starttls_server, certificate), tmp_path / "mail-sent.yaml")
    assert len(inbox.received) == 2


def race(settings: SmtpSettings, record: Path) -> list[mail.Outcome]:
    """Two runs of the same digest started together, in two threads (two open files: flock
    excludes them as it would two processes)."""
    start, outcomes = threading.Barrier(2), []

    def run() -> None:
        start.wait()
        outcomes.append(send(digest_eml(), settings, record))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


SENDER_SCRIPT = """
import sys
from datetime import date
from email.headerregistry import Address
from pathlib import Path
from generator.mail import SmtpSettings, send_digest

port, cafile, record = int(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
settings = SmtpSettings(host="127.0.0.1", sender=Address(addr_spec="papers@example.com"),
    recipients=(Address(addr_spec="alice@example.org"),), security="starttls", port=port,
    user="papers", password="s3cret-pass", cafile=cafile, timeout=30)
send_digest(sys.stdin.buffer.read(), settings, record, "daily/2026-12-03", date(2026, 12, 3))
"""


def test_two_racing_processes_send_once(
    starttls_server: int, inbox: Inbox, certificate: tuple[Path, Path], tmp_path: Path
) -> None:
    inbox.stall = 0.3
    record = tmp_path / "mail-sent.yaml"
    senders = [start_sender(starttls_server, certificate, record) for _ in range(2)]
    assert [sender.wait(20) for sender in senders] == [0, 0]
    assert len(inbox.received) == 1
    assert read_record(record)[KEY]["state"] == "sent"


def start_sender(port: int, certificate: tuple[Path, Path], record: Path) -> subprocess.Popen:
    """`send_digest` of the test digest in a process of its own."""
    sender = subprocess.Popen(
        [sys.executable, "-c", SENDER_SCRIPT, str(port), str(certificate[0]), str(record)],
        stdin=subprocess.PIPE,
        cwd=ROOT,
    )
    assert sender.stdin is not None
    sender.stdin.write(digest_eml())
    sender.stdin.close()
    return sender


def test_a_run_killed_during_data_leaves_sending_and_the_next_reports_unknown(
    starttls_server: int, inbox: Inbox, certificate: tuple[Path, Path], tmp_path: Path
) -> None:
    inbox.stall = 2.0  # the server holds its answer while the sender is killed
    record = tmp_path / "mail-sent.yaml"
    sender = start_sender(starttls_server, certificate, record)
    assert inbox.in_data.wait(10)
    sender.send_signal(signal.SIGKILL)
    sender.wait()
    entry = read_record(record)[KEY]
    assert entry["state"] == "sending"
    assert entry["message_id"] == "<daily-2026-12-03@papers.example.com>"
    assert pending(record, []) == [KEY]
    # The server may well take it (here it does): the next run must not send it again.
    inbox.stall = 0.0
    outcome = send(digest_eml(), settings_for(starttls_server, certificate), record)
    assert (outcome.status, outcome.sent) == (mail.GIVEN_UP, False)
    assert "it may have arrived, so it is not sent again" in outcome.message
    assert read_record(record)[KEY]["state"] == "unknown"
    assert pending(record, [KEY]) == []
    assert len(inbox.received) <= 1


def test_no_answer_to_data_is_unknown_not_retried(
    starttls_server: int, inbox: Inbox, certificate: tuple[Path, Path], tmp_path: Path
) -> None:
    inbox.stall = 2.5
    record, sleeps = tmp_path / "mail-sent.yaml", Sleeps()
    settings = settings_for(starttls_server, certificate, timeout=1.0)
    outcome = send(digest_eml(), settings, record, sleep=sleeps)
    assert (outcome.status, outcome.sent) == (mail.GIVEN_UP, False)
    assert "did not answer the message within 1 s" in outcome.message
    assert sleeps == []
    assert read_record(record)[KEY]["state"] == "unknown"


def test_pending_adds_failed_and_interrupted_digests_oldest_first(tmp_path: Path) -> None:
    record = tmp_path / "mail-sent.yaml"
    record.write_text(
        "daily/2026-12-01: {state: failed, first_failed: 2026-12-01, error: x}\n"
        "daily/2026-11-30: {state: sending, started: 2026-11-30T05:00:00Z}\n"
        "daily/2026-12-02: {state: sent, sent: 2026-12-02T05:00:00Z}\n"
        "daily/2026-11-20: {state: stale, first_failed: 2026-11-20}\n"
        "weekly/2026-W48: {state: unknown}\n"
    )
    keys = ["daily/2026-12-03", "daily/2026-12-02", "weekly/2026-W49"]
    assert pending(record, keys) == [
        "daily/2026-11-30",
        "daily/2026-12-01",
        "daily/2026-12-03",
        "weekly/2026-W49",
    ]
    assert pending(tmp_path / "none.yaml", ["daily/2026-12-03"]) == ["daily/2026-12-03"]


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("- a list\n", "mail-sent.yaml:1:1: the file must be a mapping"),
        (
            "daily/2026-12-01: {state: gone}\n",
            ":1:27: daily/2026-12-01.state must be one of sent, failed",
        ),
        (
            "../etc: {state: sent}\n",
            "must be a digest key like daily/2026-12-03 or weekly/2026-W49 (got '../etc')",
        ),
        ("daily/2026-12-01: {state: failed}\n", "missing field 'first_failed'"),
        ("daily/2026-12-32: {state: sent}\n", ":1:1: daily/2026-12-32: not a real date"),
        ("daily/2026-12-01: {state: failed, first_failed: 2026-02-30}\n", "not a real date"),
        ("daily/2026-12-01: [\n", "YAML syntax error"),
    ],
)
def test_an_unusable_record_stops_the_send(
    text: str, error: str, inbox: Inbox, certificate: tuple[Path, Path], tmp_path: Path
) -> None:
    record = tmp_path / "mail-sent.yaml"
    record.write_text(text)
    outcome = send(digest_eml(), settings_for(free_port(), certificate), record)
    assert (outcome.status, outcome.sent) == (mail.CONFIG, False)
    assert error in outcome.message
    assert "\n" not in outcome.message
    assert record.read_text() == text


# Hostile input: no header injection


def test_a_subject_with_a_line_break_cannot_be_set() -> None:
    """The digest builds its e-mail with policy.SMTP, which refuses CR or LF in a value."""
    message = EmailMessage(policy=email.policy.SMTP)
    with pytest.raises(ValueError, match="linefeed or carriage return"):
        message["Subject"] = "Papers\r\nBcc: evil@attacker.test"


def test_an_encoded_line_break_in_the_subject_is_refused(
    starttls_server: int, inbox: Inbox, certificate: tuple[Path, Path], tmp_path: Path
) -> None:
    """Decoded, this Subject holds CR LF; Python before 3.11.10 writes it out raw when it
    refolds the long line, and "Bcc: evil@attacker.test" becomes a header of its own."""
    eml = digest_eml().replace(
        b"Subject: ", b"Subject: =?utf-8?q?Papers=0D=0ABcc:_evil@attacker.test?= ", 1
    )
    record = tmp_path / "r.yaml"
    outcome = send(eml, settings_for(starttls_server, certificate), record)
    assert (outcome.status, outcome.sent) == (mail.CONFIG, False)
    assert outcome.message == "not sent: the e-mail's Subject holds a line break"
    assert inbox.received == []
    assert read_record(record)[KEY]["state"] == "failed"  # retried tomorrow, rendered anew


@pytest.mark.parametrize("brk", ["=0A", "=0D", "=0B", "=0C", "=C2=85", "=E2=80=A8"])
def test_every_encoded_line_break_is_refused(
    brk: str, certificate: tuple[Path, Path], tmp_path: Path
) -> None:
    encoded = f"Subject: =?utf-8?q?Papers{brk}X-Evil:_1?= ".encode()
    eml = digest_eml().replace(b"Subject: ", encoded, 1)
    outcome = send(eml, settings_for(free_port(), certificate), tmp_path / "r.yaml")
    assert outcome.message == "not sent: the e-mail's Subject holds a line break"


def test_header_lines_smuggled_by_a_bare_cr_reach_no_one(
    starttls_server: int, inbox: Inbox, certificate: tuple[Path, Path], tmp_path: Path
) -> None:
    eml = digest_eml().replace(
        b"Subject: ", b"Subject: Papers\rBcc: evil@attacker.test\rCc: evil2@attacker.test\r\n"
        b"X-Was-Subject: ", 1
    )  # fmt: skip
    outcome = send(eml, settings_for(starttls_server, certificate), tmp_path / "r.yaml")
    assert outcome.sent
    [received] = inbox.received
    message = received.message()
    assert received.rcpt_tos == [ALICE, BOB]  # the envelope comes from the settings alone
    assert "Bcc" not in message and "Cc" not in message
    assert b"attacker" not in received.content


def test_a_smuggled_second_subject_is_refused(
    starttls_server: int, inbox: Inbox, certificate: tuple[Path, Path], tmp_path: Path
) -> None:
    record = tmp_path / "r.yaml"
    smuggled = b"Subject: Papers\rSubject: You won\rX-Was-Subject: "
    eml = digest_eml().replace(b"Subject: ", smuggled, 1)
    outcome = send(eml, settings_for(starttls_server, certificate), record)
    assert (outcome.status, outcome.sent) == (mail.CONFIG, False)
    assert outcome.message == "not sent: the e-mail has Subject more than once"
    assert inbox.received == []
    assert read_record(record)[KEY]["state"] == "failed"


# Settings from the environment

ENV = {
    "DPA_SMTP_HOST": "smtp.example.com",
    "DPA_SMTP_USER": "papers",
    "DPA_SMTP_PASSWORD": " pass word ",
    "DPA_MAIL_FROM": "Daily Papers <papers@example.com>",
    "DPA_MAIL_TO": "alice@example.org, Bob <bob@example.net>",
}


def test_settings_from_the_environment() -> None:
    settings = SmtpSettings.from_env({**ENV, "DPA_SMTP_PORT": "", "DPA_SMTP_CAFILE": ""})
    assert (settings.host, settings.security, settings.port) == ("smtp.example.com", "tls", 465)
    assert (settings.user, settings.password) == ("papers", " pass word ")
    assert str(settings.sender) == "Daily Papers <papers@example.com>"
    assert [r.addr_spec for r in settings.recipients] == [ALICE, BOB]
    assert settings.cafile is None
    assert "pass word" not in repr(settings)
    starttls = SmtpSettings.from_env({**ENV, "DPA_SMTP_SECURITY": "starttls"})
    assert (starttls.security, starttls.port) == ("starttls", 587)
    custom = SmtpSettings.from_env({**ENV, "DPA_SMTP_PORT": "2525", "DPA_SMTP_USER": ""} | {
        "DPA_SMTP_PASSWORD": ""
    })  # fmt: skip
    assert (custom.port, custom.user, custom.password) == (2525, None, None)


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"DPA_SMTP_HOST": ""}, "DPA_SMTP_HOST is not set"),
        ({"DPA_SMTP_HOST": "smtp example"}, "is not a host name"),
        ({"DPA_SMTP_SECURITY": "none"}, "expected tls or starttls"),
        ({"DPA_SMTP_PORT": "99999"}, "is not a port number"),
        ({"DPA_SMTP_PASSWORD": ""}, "set both or neither"),
        ({"DPA_SMTP_PASSWORD": "pässword"}, "only ASCII"),
        ({"DPA_MAIL_FROM": "a@example.com, b@example.com"}, "one address expected, found 2"),
        ({"DPA_MAIL_TO": ""}, "DPA_MAIL_TO is not set"),
        ({"DPA_MAIL_TO": "not an address"}, "is not a list of e-mail addresses"),
        ({"DPA_MAIL_TO": "ü@example.org"}, "is not an ASCII e-mail address"),
        ({"DPA_MAIL_TO": "a@example.org\r\nBcc: evil@attacker.test"}, "holds a line break"),
        ({"DPA_SMTP_CAFILE": "/nonexistent/ca.pem"}, "is not a file"),
    ],
)
def test_bad_settings_are_named(changes: dict[str, str], error: str) -> None:
    with pytest.raises(MailError, match=error):
        SmtpSettings.from_env({**ENV, **changes})


def test_exit_status_is_the_highest() -> None:
    statuses = (mail.SENT, mail.PERMANENT, mail.TEMPORARY)
    outcomes = [mail.Outcome("a/2026-1", status, False, "") for status in statuses]
    assert mail.exit_status(outcomes) == mail.PERMANENT
    assert mail.exit_status([]) == 0


def test_each_outcome_has_an_exit_status_no_other_means() -> None:
    """1 (bad content) and 2 (a bug, or argparse's usage error) are every command's: a
    temporary failure exiting 2 would read as a crash of the tools."""
    failures = (mail.TEMPORARY, mail.PERMANENT, mail.CONFIG, mail.GIVEN_UP)
    assert len({mail.SENT, *failures}) == 5
    assert mail.SENT == 0 and not {1, 2} & set(failures)
    # From the least to the most in need of the owner: the highest of several is the one shown.
    assert list(failures) == sorted(failures)


# The command: python -m generator mail, on the fixture archive


@pytest.fixture
def archive_content(tmp_path: Path) -> Path:
    """The fixture archive: list days 2025-06-09, 06-10 and 06-12 (06-11 lists nothing)."""
    from tests.helpers import fixture_content

    return fixture_content(tmp_path / "archive")


def command_env(
    monkeypatch: pytest.MonkeyPatch, port: int, certificate: tuple[Path, Path], **changes: str
) -> None:
    """The DPA_* variables the nightly workflow sets from secrets, for a test server."""
    variables = {
        "DPA_SMTP_HOST": "127.0.0.1",
        "DPA_SMTP_PORT": str(port),
        "DPA_SMTP_SECURITY": "starttls",
        "DPA_SMTP_USER": USER,
        "DPA_SMTP_PASSWORD": PASSWORD,
        "DPA_SMTP_CAFILE": str(certificate[0]),
        "DPA_MAIL_FROM": "Daily Papers <papers@example.com>",
        "DPA_MAIL_TO": f"{ALICE}, Bob <{BOB}>",
        **changes,
    }
    for name, value in variables.items():
        monkeypatch.setenv(name, value)


def run_mail(content: Path, *args: str) -> int:
    from generator.__main__ import main

    return main(["mail", "--content", str(content), *args])


def test_the_command_sends_the_newest_finished_day_once(
    starttls_server: int,
    inbox: Inbox,
    certificate: tuple[Path, Path],
    archive_content: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    command_env(monkeypatch, starttls_server, certificate)
    # On 06-12 itself that day may still grow: the newest finished day is 06-10.
    assert run_mail(archive_content, "--today", "2025-06-12", "--dry-run") == mail.SENT
    assert capsys.readouterr().out.startswith("would send daily/2025-06-10: ")
    # The next morning 06-12 is sent: on a first run, the newest finished day alone.
    assert run_mail(archive_content, "--today", "2025-06-13") == mail.SENT
    [received] = inbox.received
    message = received.message()
    assert message["Subject"] == "Daily Papers Archive, Thu 12 Jun 2025: 1 paper"
    assert message["To"] == f"{ALICE}, Bob <{BOB}>"
    assert "daily/2025-06-12: sent to 2 recipients" in capsys.readouterr().out
    record = archive_content / "mail-sent.yaml"
    assert read_record(record)["daily/2025-06-12"]["state"] == "sent"
    assert read_record(record)["daily/2025-06-12"]["message_id"] == message["Message-ID"]
    # A rerun, the same day or the next, sends nothing and says so.
    text = record.read_text()
    assert run_mail(archive_content, "--today", "2025-06-13") == mail.SENT
    assert run_mail(archive_content, "--today", "2025-06-14") == mail.SENT
    assert len(inbox.received) == 1
    assert record.read_text() == text
    assert "nothing to send" in capsys.readouterr().out
    # The record is content: validate reads it and accepts it.
    from generator.validate import validate

    assert validate(archive_content) == []


def test_the_command_catches_up_on_days_a_skipped_run_missed(
    starttls_server: int,
    inbox: Inbox,
    certificate: tuple[Path, Path],
    archive_content: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    command_env(monkeypatch, starttls_server, certificate)
    record = archive_content / "mail-sent.yaml"
    record.write_text("daily/2025-06-09:\n  state: sent\n  sent: 2025-06-10T05:00:00Z\n")
    # No run on 06-11 and 06-12: on 06-13, 06-10 and 06-12 go, oldest first.
    assert run_mail(archive_content, "--today", "2025-06-13") == mail.SENT
    subjects = [received.message()["Subject"] for received in inbox.received]
    assert subjects == [
        "Daily Papers Archive, Tue 10 Jun 2025: 2 papers",
        "Daily Papers Archive, Thu 12 Jun 2025: 1 paper",
    ]
    # A day more than STALE_AFTER days old is news no more: not sent.
    record.write_text("daily/2025-06-09:\n  state: sent\n  sent: 2025-06-10T05:00:00Z\n")
    assert run_mail(archive_content, "--today", "2025-06-15") == mail.SENT
    assert [r.message()["Subject"] for r in inbox.received[2:]] == [subjects[1]]


def test_the_command_fails_with_the_reason_and_the_next_run_sends(
    starttls_server: int,
    inbox: Inbox,
    certificate: tuple[Path, Path],
    archive_content: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    command_env(monkeypatch, starttls_server, certificate, DPA_SMTP_PASSWORD="wrong")
    status = run_mail(archive_content, "--today", "2025-06-13", "--format", "github")
    assert status == mail.PERMANENT
    out = capsys.readouterr().out
    assert "daily/2025-06-12: not sent: " in out and "535" in out
    assert "::error title=Digest e-mail daily/2025-06-12::daily/2025-06-12: not sent: " in out
    assert "wrong" not in out  # the password is never printed
    record = archive_content / "mail-sent.yaml"
    assert read_record(record)["daily/2025-06-12"]["state"] == "failed"
    assert inbox.received == []
    # The owner mends the secret: the next run sends the missed digest, once.
    command_env(monkeypatch, starttls_server, certificate)
    assert run_mail(archive_content, "--today", "2025-06-14") == mail.SENT
    assert len(inbox.received) == 1
    assert run_mail(archive_content, "--today", "2025-06-15") == mail.SENT
    assert len(inbox.received) == 1


def test_the_command_refuses_bad_settings_with_status_4(
    archive_content: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DPA_SMTP_HOST", "smtp.example.org")
    monkeypatch.setenv("DPA_SMTP_SECURITY", "none")
    monkeypatch.delenv("DPA_MAIL_TO", raising=False)
    assert run_mail(archive_content, "--today", "2025-06-13") == mail.CONFIG
    err = capsys.readouterr().err
    assert err.startswith("error: DPA_SMTP_SECURITY") and err.count("\n") == 1
    assert not (archive_content / "mail-sent.yaml").exists()


def test_a_bad_record_is_a_validate_problem_and_stops_the_command(
    starttls_server: int,
    inbox: Inbox,
    certificate: tuple[Path, Path],
    archive_content: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from generator.validate import validate

    record = archive_content / "mail-sent.yaml"
    record.write_text("daily/2025-06-10:\n  state: sent\n  sent: yesterday\n")
    [problem] = validate(archive_content)
    assert (problem.line, problem.column) == (3, 9)
    assert "sent must be a UTC time" in problem.message
    command_env(monkeypatch, starttls_server, certificate)
    assert run_mail(archive_content, "--today", "2025-06-13") == 1  # content is invalid
    assert "mail-sent.yaml:3:9" in capsys.readouterr().err
    assert inbox.received == []


def test_dry_run_renders_what_is_due_and_sends_nothing(
    archive_content: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("DPA_SMTP_HOST", raising=False)  # no settings needed
    assert run_mail(archive_content, "--today", "2025-06-13", "--dry-run") == mail.SENT
    out = capsys.readouterr().out
    assert out.startswith("would send daily/2025-06-12: Daily Papers Archive, Thu 12 Jun 2025")
    assert not (archive_content / "mail-sent.yaml").exists()


@pytest.fixture(scope="module")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture archive built with the repository's mkdocs.yml, as the nightly deploys it."""
    from generator.build import build_site
    from tests.helpers import fixture_content

    root = tmp_path_factory.mktemp("mail-site")
    build_site(fixture_content(root), root / "site", root / "build", ROOT / "mkdocs.yml")
    return root / "site"


def test_the_digests_read_back_from_the_server_are_whole_and_link_the_built_site(
    built_site: Path,
    starttls_server: int,
    inbox: Inbox,
    certificate: tuple[Path, Path],
    archive_content: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each message as the server took it, read back with the standard library's parser:
    headers, both parts, every link a page (and anchor) of the built site, size, selection."""
    import lxml.html

    from generator.config import load_config
    from generator.digest import MAX_BYTES

    unsubscribe = "https://lists.example.org/u?l=daily"
    (archive_content / "digest.yml").write_text(
        f"name: Daily Papers\nlist_id: daily-papers.example.org\nunsubscribe: {unsubscribe}\n"
        "select:\n  topics: [robotics]\n  min_upvotes: 30\n"
    )
    record = archive_content / "mail-sent.yaml"  # the last run sent 06-08's: two days are due
    record.write_text("daily/2025-06-08:\n  state: sent\n  sent: 2025-06-09T05:00:00Z\n")
    command_env(monkeypatch, starttls_server, certificate)
    assert run_mail(archive_content, "--today", "2025-06-11") == mail.SENT
    site_url = load_config(ROOT / "mkdocs.yml").site_url
    # 06-09: the agents paper (40 upvotes) of two; 06-10: the robot paper and the agents one.
    expected = {
        "Daily Papers, Mon 9 Jun 2025: 2 papers (1 matches your selection)": (1, "2025/06/09/"),
        "Daily Papers, Tue 10 Jun 2025: 2 papers (2 match your selection)": (2, "2025/06/10/"),
    }
    assert [received.message()["Subject"] for received in inbox.received] == list(expected)
    entries = read_record(record)
    for received in inbox.received:
        assert received.tls and received.rcpt_tos == [ALICE, BOB]
        assert len(received.content) < MAX_BYTES
        message = received.message()
        assert message.defects == []
        listed, page = expected[message["Subject"]]
        assert message["From"] == "Daily Papers <papers@example.com>"
        assert message["To"] == f"{ALICE}, Bob <{BOB}>"
        assert message["List-Id"] == "Daily Papers <daily-papers.example.org>"
        assert message["List-Unsubscribe"] == f"<{unsubscribe}>"
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        key = f"daily/{page[:-1].replace('/', '-')}"
        assert entries[key]["message_id"] == message["Message-ID"]
        assert message.get_content_type() == "multipart/alternative"
        plain, html = (message.get_body((kind,)) for kind in ("plain", "html"))
        assert plain is not None and html is not None
        text, markup = (part.get_content().replace("\r\n", "\n") for part in (plain, html))
        root = lxml.html.document_fromstring(markup)
        assert len(root.xpath("//h2/a")) == listed
        assert text.count(f"\n    {site_url}") == listed  # each listed paper's permalink
        rest = 2 - listed
        more = f"And {rest} more paper: {site_url}{page}"  # one line, but for the wrapping
        assert (more in " ".join(text.split())) is bool(rest)
        hrefs = root.xpath("//a/@href")
        assert set(re.findall(r"https://\S+", text)) == set(hrefs)
        for href in hrefs:
            if href == unsubscribe:
                continue
            assert href.startswith(site_url), href  # absolute, to this site
            path, _, anchor = href.removeprefix(site_url).partition("#")
            built = built_site / path / "index.html"
            assert built.is_file(), href
            if anchor:
                assert f'id="{anchor}"' in built.read_text("utf-8"), href


def test_weekly_is_sent_once_when_its_week_is_over(
    starttls_server: int,
    inbox: Inbox,
    certificate: tuple[Path, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.test_digest import weekly_content

    content = weekly_content(tmp_path)  # week 2025-W24 is over: 2025-06-16 is listed
    command_env(monkeypatch, starttls_server, certificate)
    for today in ("2025-06-17", "2025-06-18"):
        assert run_mail(content, "--weekly", "--today", today) == mail.SENT
    [received] = inbox.received
    assert received.message()["Message-ID"].startswith("<weekly.2025-W24.")
    assert "top papers of the week of 9 Jun 2025" in received.message()["Subject"]
    assert read_record(content / "mail-sent.yaml")["weekly/2025-W24"]["state"] == "sent"


@pytest.mark.parametrize("length", range(60, 101))
def test_a_subject_of_any_length_reads_back_the_same(length: int) -> None:
    # Python folds a value that fits on a line of its own onto a continuation line, and its
    # parser reads that with a leading space: the digest's 72-character subjects did.
    subject = ("Daily Papers Archive, Thu 3 Dec 2026: 17 papers (3 match your selection) " * 2)[
        :length
    ].rstrip()
    message = EmailMessage(policy=email.policy.SMTP)
    message["Subject"] = subject
    message.set_content(TEXT)
    eml = mail.message_bytes(message)
    settings = SmtpSettings("h.test", Address(addr_spec="a@h.test"), (Address(addr_spec=ALICE),))
    for data in (eml, mail._prepare(eml, settings, NOW)[0]):
        parsed = email.message_from_bytes(data, policy=email.policy.default)
        assert parsed["Subject"] == subject
        assert max(len(line) for line in data.split(b"\r\n")) < 100
