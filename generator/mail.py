"""`mail`: send a rendered digest e-mail over SMTP once: never twice, never lost.

Settings come from the environment (`SmtpSettings.from_env`), which the nightly workflow fills
from repository secrets; an empty variable counts as unset, as GitHub passes an unset secret:

    DPA_SMTP_HOST      the server (required)
    DPA_SMTP_SECURITY  tls (implicit TLS, the default, RFC 8314) or starttls
    DPA_SMTP_PORT      default 465 for tls, 587 for starttls
    DPA_SMTP_USER      the login, with DPA_SMTP_PASSWORD: both or neither
    DPA_SMTP_PASSWORD
    DPA_MAIL_FROM      the sender, `addr` or `Name <addr>` (required)
    DPA_MAIL_TO        the recipients, comma-separated (required); nobody else gets the mail
    DPA_SMTP_CAFILE    trust this CA file instead of the system's (tests, a private server)

Nothing is sent unencrypted: with starttls, a server that does not offer STARTTLS gets no
password and no mail. From and To are set from the settings whatever the e-mail says, Cc and
Bcc are dropped, and the envelope goes to DPA_MAIL_TO alone. Date becomes the time of sending:
the digest's own (its list day's midnight) would put it a day or more in the past, below newer
mail in an inbox and counted against it by spam filters.

`Outcome.status` is the exit status `mail` gives (for several digests, the highest). 1 and 2
are every command's (bad content; a bug in the tools), so a failure to send is never read as
either:

    0  sent, or nothing to send (already sent, or given up and reported by an earlier run)
    3  temporary failure (a 4xx reply; a connection refused, reset or dropped) on each of
       ATTEMPTS tries: recorded as failed, sent by the next run
    4  permanent failure (authentication, a 5xx reply, TLS refused or not trusted, every
       recipient refused): recorded as failed and tried again by the next run, since the owner
       may fix a secret. Also when some recipients refused the mail and others took it: it
       counts as sent (a resend would reach the others twice) and the refused ones are named
    5  configuration: the settings, the e-mail or the record cannot be used; nothing sent
    6  given up, reported once and not sent: failing for more than STALE_AFTER days (stale),
       or an earlier run stopped while sending it (unknown: it may have arrived)

The record (YAML, one entry per digest key such as `daily/2026-12-03` or `weekly/2026-W49`)
holds each key's state: `sent` (when, Message-ID, any refused recipients); `failed` (first and
last failure date, failed runs, last error); `sending` (written before DATA, replaced once the
server answers); `unknown` and `stale` (given up and reported). Read, check, send and record
happen under an exclusive lock on a file beside the record, so two runs never both send. The
record may be committed to a public repository: it names the server, the login and the
addresses only by their variables (DPA_MAIL_TO[2] for the second recipient).

A run that dies during DATA leaves `sending`: the server may or may not have taken the mail,
and nothing here can tell. The next run reports it as unknown and does not resend, since a
duplicate cannot be taken back while a reported loss can be mended: delete the key from the
record to send it again. Truly unknown is only the short time from the end of the message to
the record's rename after the server's 250. A server that closes the connection without
answering the end of DATA has not taken the mail (RFC 5321 section 6.1: its 250 reply accepts
responsibility), so that is retried; one that does not answer within the timeout may yet take
it, so that too is unknown: reported, not resent.
"""

from __future__ import annotations

import email
import email.policy
import fcntl
import os
import re
import smtplib
import ssl
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any

from . import yamlfile
from .errors import ArchiveError, ContentError, MailError
from .validate import check_mail_file

SENT, TEMPORARY, PERMANENT, CONFIG, GIVEN_UP = 0, 3, 4, 5, 6

ATTEMPTS = 3
# Seconds to wait before the 2nd and 3rd tries: enough for a server's brief overload; a
# greylisting server (minutes) is left to the next night's run, which sends the mail then.
BACKOFF = (10.0, 30.0)
# A digest failing for more than this many days is reported, not sent: stale news.
STALE_AFTER = 3
DEFAULT_PORTS = {"tls": 465, "starttls": 587}

RECORD_HEADER = (
    "# Digests sent by e-mail, by key: state sent, failed, sending, unknown or stale.\n"
    "# Written by `python -m generator mail`; delete a key to send that digest again.\n"
)
# Keys name a digest, e.g. daily/2026-12-03 or weekly/2026-W49; they sort oldest first.
KEY = re.compile(r"daily/[0-9]{4}-[0-9]{2}-[0-9]{2}|weekly/[0-9]{4}-W[0-9]{2}")
# Headers the e-mail may carry once; a second one is a sign of injected header lines.
SINGLE = ("Subject", "Date", "Message-ID", "From", "To", "Cc", "Reply-To", "MIME-Version",
          "Content-Type", "List-Id", "List-Unsubscribe", "List-Unsubscribe-Post")  # fmt: skip
# What str.splitlines() breaks at: no header value may hold one.
LINE_BREAK = re.compile("[\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
_FOLDED_AT_ONCE = re.compile(rb"^([!-9;-~]+):\r\n ", re.MULTILINE)
# Recipients come from the settings alone: these headers are dropped from the e-mail.
DROPPED = ("Cc", "Bcc", "Resent-To", "Resent-Cc", "Resent-Bcc", "Sender")

Clock = Callable[[], datetime]
Sleep = Callable[[float], None]


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send, read once from the environment."""

    host: str
    sender: Address  # From, and the envelope's sender
    recipients: tuple[Address, ...]  # To, and the envelope's recipients: nobody else
    security: str = "tls"  # "tls": TLS from the start; "starttls": refused without STARTTLS
    port: int = 465
    user: str | None = None
    password: str | None = field(default=None, repr=False)  # never printed
    cafile: Path | None = None  # trust only this CA file (tests, a private server)
    # Seconds to wait for each reply (RFC 5321 section 4.5.3.2 gives a server up to 10 minutes
    # after DATA): a message not answered in time is unknown, reported, never sent twice.
    timeout: float = 120.0

    @property
    def where(self) -> str:
        """host:port, as messages name the server."""
        return f"{self.host}:{self.port}"

    def redact(self, text: str) -> str:
        """text with the settings' host, login, password and addresses replaced by their
        variables' names (DPA_MAIL_TO[2] for the second recipient), for a public record."""
        names = [(self.host, "DPA_SMTP_HOST"), (self.sender.addr_spec, "DPA_MAIL_FROM")]
        names += [
            (address.addr_spec, f"DPA_MAIL_TO[{number}]")
            for number, address in enumerate(self.recipients, 1)
        ]
        if self.user:
            names.append((self.user, "DPA_SMTP_USER"))
        if self.password:  # were a server ever to echo it
            names.append((self.password, "DPA_SMTP_PASSWORD"))
        # Longest first, so that an address is not half-replaced by a host name inside it.
        for value, name in sorted(names, key=lambda pair: -len(pair[0])):
            text = re.sub(re.escape(value), name, text, flags=re.IGNORECASE)
        return text

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> SmtpSettings:
        """Settings from DPA_SMTP_* and DPA_MAIL_* variables; MailError names a bad one."""

        def get(name: str) -> str | None:
            value = environ.get(name, "")
            if "\r" in value or "\n" in value:
                raise MailError(f"{name}: holds a line break")
            # A password is taken as written; other values lose stray spaces from pasting.
            value = value if name == "DPA_SMTP_PASSWORD" else value.strip()
            return value or None

        host = get("DPA_SMTP_HOST")
        if host is None:
            raise MailError("DPA_SMTP_HOST is not set: no SMTP server to send through")
        if not re.fullmatch(r"[A-Za-z0-9.:\[\]-]+", host):
            raise MailError(f"DPA_SMTP_HOST: {host!r} is not a host name or address")
        security = get("DPA_SMTP_SECURITY") or "tls"
        if security not in DEFAULT_PORTS:
            raise MailError(f"DPA_SMTP_SECURITY: {security!r}, expected tls or starttls")
        port_text = get("DPA_SMTP_PORT")
        port = DEFAULT_PORTS[security]
        if port_text is not None:
            if not port_text.isdigit() or not 0 < int(port_text) < 65536:
                raise MailError(f"DPA_SMTP_PORT: {port_text!r} is not a port number")
            port = int(port_text)
        user, password = get("DPA_SMTP_USER"), get("DPA_SMTP_PASSWORD")
        if (user is None) != (password is None):
            raise MailError("DPA_SMTP_USER and DPA_SMTP_PASSWORD: set both or neither")
        # smtplib encodes the login as ASCII (AUTH PLAIN and LOGIN alike).
        for name, value in (("DPA_SMTP_USER", user), ("DPA_SMTP_PASSWORD", password)):
            if value is not None and not value.isascii():
                raise MailError(f"{name}: only ASCII characters can be sent (smtplib)")
        senders = _addresses("DPA_MAIL_FROM", get("DPA_MAIL_FROM"))
        if len(senders) != 1:
            raise MailError(f"DPA_MAIL_FROM: one address expected, found {len(senders)}")
        cafile = get("DPA_SMTP_CAFILE")
        if cafile is not None and not Path(cafile).is_file():
            raise MailError(f"DPA_SMTP_CAFILE: {cafile} is not a file")
        return cls(
            host=host,
            sender=senders[0],
            recipients=_addresses("DPA_MAIL_TO", get("DPA_MAIL_TO")),
            security=security,
            port=port,
            user=user,
            password=password,
            cafile=Path(cafile) if cafile else None,
        )


def _addresses(name: str, value: str | None) -> tuple[Address, ...]:
    """The addresses of a header-like value, each checked; MailError names the bad one."""
    if value is None:
        raise MailError(f"{name} is not set")
    header = email.policy.SMTP.header_factory("To", value)
    found = tuple(header.addresses)
    for address in found:
        # Non-ASCII addresses would need SMTPUTF8, which not every server offers.
        if not address.addr_spec.isascii():
            raise MailError(f"{name}: {address.addr_spec!r} is not an ASCII e-mail address")
    if header.defects or not found or not all(address.domain for address in found):
        raise MailError(f"{name}: {value!r} is not a list of e-mail addresses")
    return found


@dataclass(frozen=True)
class Outcome:
    """What one digest's run did: status (module docstring), whether mail went out, why."""

    key: str
    status: int
    sent: bool  # this run handed the mail to the server (for some recipients at least)
    message: str  # one line
    refused: Mapping[str, str] = field(default_factory=dict)  # recipient -> server's reply

    def __str__(self) -> str:
        return f"{self.key}: {self.message}"


def exit_status(outcomes: Iterable[Outcome]) -> int:
    """The exit status of a run of several digests: the highest of theirs, 0 for none."""
    return max((outcome.status for outcome in outcomes), default=SENT)


class _Failure(MailError):
    """One try's failure, with the status it gives; never leaves this module."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


# The record


def read_record(record: Path) -> dict[str, dict[str, Any]]:
    """The record's entries by key ({} when there is none); MailError if `validate` refuses it."""
    try:
        return check_mail_file(record)
    except ContentError as exc:
        # validate's report, on one line: an outcome is one line.
        problems = str(exc).splitlines()[1:] or [str(exc)]
        raise MailError("; ".join(problems) + " (python -m generator validate)") from exc


def _write_record(record: Path, entries: dict[str, dict[str, Any]]) -> None:
    text = yamlfile.dump({key: entries[key] for key in sorted(entries)}, header=RECORD_HEADER)
    try:
        yamlfile.write_atomic(record, text)
    except ArchiveError as exc:
        raise MailError(str(exc)) from exc


@contextmanager
def _locked(record: Path) -> Iterator[None]:
    """Hold an exclusive lock on .<record>.lock while a run reads, sends and records.

    The lock file stays: removing it would let a waiting run lock a file no one else sees.
    A second run waits here, then finds the digest sent.
    """
    lock = record.with_name(f".{record.name}.lock")
    try:
        record.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        raise MailError(f"{lock}: cannot open the lock: {exc.strerror}") from exc
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the only descriptor releases the lock


def due(record: Path, published: Iterable[tuple[str, date]], today: date) -> list[str]:
    """The digests a run sends, oldest first, from those the feeds publish (key, the day it
    was complete): of each kind, those complete before today, at most STALE_AFTER days ago,
    and newer than any the record holds (on a first run, the newest alone); and every digest
    the record holds as failed or sending (sent now, or reported once)."""
    entries = read_record(record)
    wanted: list[str] = []
    ready: dict[str, list[str]] = {}
    for key, complete in published:
        # A list day still running (today, UTC) may grow: its digest waits for tomorrow.
        if complete < today and (today - complete).days <= STALE_AFTER:
            ready.setdefault(key.partition("/")[0], []).append(key)
    for kind, keys in ready.items():
        known = [key for key in entries if key.partition("/")[0] == kind]
        newest = max(known, default=None)
        wanted += [key for key in keys if key > newest] if newest else [max(keys)]
    return pending(record, wanted)


def pending(record: Path, keys: Iterable[str]) -> list[str]:
    """The keys a run hands to send_digest, oldest first: those of `keys` not yet sent, and
    every digest the record holds as failed or sending (sent now, or reported once)."""
    entries = read_record(record)
    wanted = set(keys) | {
        key for key, entry in entries.items() if entry["state"] in ("failed", "sending")
    }
    done = ("sent", "unknown", "stale")
    return sorted(key for key in wanted if entries.get(key, {}).get("state") not in done)


# Sending


def send_digest(
    eml: bytes,
    settings: SmtpSettings,
    record: Path,
    key: str,
    today: date,
    *,
    sleep: Sleep = time.sleep,
    clock: Clock = _utc_now,
    attempts: int = ATTEMPTS,
) -> Outcome:
    """Send one digest e-mail unless the record says it went or was given up; record what
    happened. Never raises for a failure to send: the Outcome says which (module docstring)."""
    if not KEY.fullmatch(key):
        raise MailError(f"{key!r} is not a digest key like daily/2026-12-03")
    try:
        with _locked(record):
            entries = read_record(record)
            return _run(eml, settings, record, entries, key, today, sleep, clock, attempts)
    except MailError as exc:
        return Outcome(key, CONFIG, False, f"not sent: {exc}")


def _run(
    eml: bytes,
    settings: SmtpSettings,
    record: Path,
    entries: dict[str, dict[str, Any]],
    key: str,
    today: date,
    sleep: Sleep,
    clock: Clock,
    attempts: int,
) -> Outcome:
    """The locked part of send_digest: decide from the record, send, record."""
    settled = _settled(record, entries, key, today)
    if settled is not None:
        return settled
    previous = entries.get(key)

    def failed(failure: _Failure) -> None:
        entries[key] = _failed_entry(previous, today, settings.redact(str(failure)))
        _write_record(record, entries)

    try:
        data, message_id = _prepare(eml, settings, clock())
    except _Failure as failure:
        failed(failure)
        return Outcome(key, failure.status, False, f"not sent: {failure}")

    def sending() -> None:
        entries[key] = {"state": "sending", "started": _stamp(clock()), "message_id": message_id}
        _write_record(record, entries)

    try:
        refused = _deliver(data, settings, sending, failed, sleep, attempts)
    except _Failure as failure:
        if failure.status == GIVEN_UP:  # no answer to the end of DATA: it may have arrived
            entries[key] = {**entries[key], "state": "unknown", "reported": today.isoformat()}
            _write_record(record, entries)
            return Outcome(key, GIVEN_UP, False, str(failure))
        return Outcome(key, failure.status, False, f"not sent: {failure}")
    entries[key] = {"state": "sent", "sent": _stamp(clock()), "message_id": message_id}
    if refused:
        entries[key]["refused"] = {
            settings.redact(address): settings.redact(reply) for address, reply in refused.items()
        }
    try:
        _write_record(record, entries)
    except MailError as exc:  # the mail went; `sending` stays, so no run sends it again
        return Outcome(key, CONFIG, True, f"sent, but not recorded: {exc}", refused)
    if refused:
        names = "; ".join(f"{address}: {reply}" for address, reply in refused.items())
        return Outcome(key, PERMANENT, True, f"sent, but refused for {names}", refused)
    count = len(settings.recipients)
    return Outcome(key, SENT, True, f"sent to {count} recipient{'s' * (count != 1)}")


def _settled(
    record: Path, entries: dict[str, dict[str, Any]], key: str, today: date
) -> Outcome | None:
    """The outcome when the record says not to send (reporting stale and unknown keys once,
    which it records), or None when the digest is to be sent now."""
    previous = entries.get(key) or {}
    state = previous.get("state")
    if state == "sent":
        when = f"{previous.get('sent')} as {previous.get('message_id')}"
        return Outcome(key, SENT, False, f"already sent {when}: not sent again")
    if state in ("unknown", "stale"):
        return Outcome(key, SENT, False, f"given up ({state}) earlier: delete it from {record}")
    if state == "sending":
        message = (
            f"an earlier run stopped while sending it ({previous.get('started')}): it may "
            f"have arrived, so it is not sent again; delete it from {record} to resend"
        )
    elif state == "failed" and (
        (today - date.fromisoformat(previous["first_failed"])).days > STALE_AFTER
    ):
        message = (
            f"failing since {previous['first_failed']} (last: {previous.get('error')}): "
            f"stale after {STALE_AFTER} days, not sent"
        )
    else:
        return None
    state = "unknown" if state == "sending" else "stale"
    entries[key] = {**previous, "state": state, "reported": today.isoformat()}
    _write_record(record, entries)
    return Outcome(key, GIVEN_UP, False, message)


def _failed_entry(previous: Mapping[str, Any] | None, today: date, error: str) -> dict[str, Any]:
    """A failed entry: the first failure's date kept from earlier runs, this one's error."""
    first = (previous or {}).get("first_failed") or today.isoformat()
    return {
        "state": "failed",
        "first_failed": first,
        "last_failed": today.isoformat(),
        "failures": int((previous or {}).get("failures", 0)) + 1,
        "error": error,
    }


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _prepare(eml: bytes, settings: SmtpSettings, now: datetime) -> tuple[bytes, str]:
    """The bytes to send, From and To set from the settings, and the Message-ID."""
    message = email.message_from_bytes(eml, policy=email.policy.SMTP)
    assert isinstance(message, EmailMessage)  # policy.SMTP's message_factory
    for part in message.walk():
        if part.defects:
            raise _Failure(CONFIG, f"the e-mail is malformed: {part.defects[0]!r}")
        for name, value in part.items():
            if getattr(value, "defects", ()):
                raise _Failure(CONFIG, f"the e-mail's {name} is malformed: {value.defects[0]}")
            # An encoded word can carry a line break into a value, and Python before 3.11.10
            # writes it out raw when it refolds a long header (CVE-2024-6923): a new header.
            if LINE_BREAK.search(value):
                raise _Failure(CONFIG, f"the e-mail's {name} holds a line break")
    for name in SINGLE:
        if len(message.get_all(name, [])) > 1:
            raise _Failure(CONFIG, f"the e-mail has {name} more than once")
    for name in DROPPED:
        del message[name]
    for name, value in (("From", settings.sender), ("To", settings.recipients)):
        if name in message:
            message.replace_header(name, value)
        else:
            message[name] = value
    if "Date" in message:
        message.replace_header("Date", format_datetime(now))
    else:
        message["Date"] = format_datetime(now)
    if "Message-ID" not in message:
        message["Message-ID"] = make_msgid(domain=settings.sender.domain)
    data = message_bytes(message)
    # Whatever the generator does, what goes out has exactly the headers checked above.
    sent = email.message_from_bytes(data, policy=email.policy.SMTP)
    if sent.keys() != message.keys():
        raise _Failure(CONFIG, "the e-mail's headers change when written out: not sent")
    return data, str(message["Message-ID"])


def message_bytes(message: EmailMessage) -> bytes:
    """The message's bytes as its policy writes them, each value begun on its field's line."""
    # Python's folder moves a value that fits on a line of its own whole onto a continuation
    # line ("Subject:\r\n Daily ..."), the same by RFC 5322, but Python 3.11's parser then
    # reads it with a leading space (CPython gh-124452).
    head, body = message.as_bytes().split(b"\r\n\r\n", 1)
    # Back onto the field's line, which stays under 100 characters (RFC 5322 allows 998).
    return _FOLDED_AT_ONCE.sub(rb"\1: ", head) + b"\r\n\r\n" + body


def _deliver(
    data: bytes,
    settings: SmtpSettings,
    sending: Callable[[], None],
    failed: Callable[[_Failure], None],
    sleep: Sleep,
    attempts: int,
) -> dict[str, str]:
    """Send with bounded retries of temporary failures; the refused recipients, if any."""
    for attempt in range(1, attempts + 1):
        try:
            return _attempt(data, settings, sending)
        except _Failure as failure:
            if failure.status == GIVEN_UP:
                raise
            failed(failure)  # at once: a run killed while waiting leaves `failed`, not `sending`
            if failure.status != TEMPORARY or attempt == attempts:
                raise
        sleep(BACKOFF[min(attempt, len(BACKOFF)) - 1])
    raise MailError(f"attempts must be at least 1, not {attempts}")


def _attempt(data: bytes, settings: SmtpSettings, sending: Callable[[], None]) -> dict[str, str]:
    """One connection: TLS, login, envelope, DATA; _Failure says how it failed."""
    stage = "connecting"
    smtp: smtplib.SMTP | None = None
    try:
        smtp = _open(settings)
        stage = "logging in"
        if settings.user is not None and settings.password is not None:
            smtp.login(settings.user, settings.password)
        stage = "sending the envelope"
        refused = _envelope(smtp, settings, eightbit=not data.isascii())
        stage = "sending the message"
        sending()  # the record says `sending` before the server can take the mail
        code, reply = smtp.data(data)
        if code != 250:
            raise _reply_failure(f"{settings.where} refused the message", code, reply)
    except BaseException as exc:
        if smtp is not None:
            smtp.close()
        if isinstance(exc, smtplib.SMTPException | OSError):
            raise _classify(exc, stage, settings) from exc
        raise
    # The server took the mail with its 250: a failed QUIT changes nothing.
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()
    return refused


def _classify(exc: OSError, stage: str, settings: SmtpSettings) -> _Failure:
    """The failure an exception from smtplib, ssl or the socket stands for."""
    where = settings.where
    if isinstance(exc, ssl.SSLCertVerificationError):
        return _Failure(PERMANENT, f"{where}: certificate not trusted: {exc.verify_message}")
    if isinstance(exc, ssl.SSLError):
        hint = f"is DPA_SMTP_SECURITY={settings.security} right for port {settings.port}?"
        return _Failure(PERMANENT, f"{where}: TLS failed ({exc.reason}); {hint}")
    # smtplib turns a timeout while reading a reply into SMTPServerDisconnected.
    if isinstance(exc, TimeoutError) or isinstance(exc.__context__, TimeoutError):
        if stage == "sending the message":
            return _Failure(
                GIVEN_UP,
                f"{where} did not answer the message within {settings.timeout:g} s: it may "
                "have arrived, so it is not sent again",
            )
        return _Failure(TEMPORARY, f"{where}: no answer within {settings.timeout:g} s, {stage}")
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return _Failure(TEMPORARY, f"{where} closed the connection while {stage}")
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        what = f"{where} refused the login of {settings.user}"
        return _reply_failure(what, exc.smtp_code, exc.smtp_error)
    if isinstance(exc, smtplib.SMTPResponseException):
        return _reply_failure(f"{where}, {stage}", exc.smtp_code, exc.smtp_error)
    if isinstance(exc, smtplib.SMTPException):
        return _Failure(PERMANENT, f"{where}, {stage}: {_one_line(str(exc))}")
    return _Failure(TEMPORARY, f"{where}: {stage} failed: {exc.strerror or type(exc).__name__}")


def _open(settings: SmtpSettings) -> smtplib.SMTP:
    """A connection that is encrypted before anything else is said, or _Failure."""
    cafile = str(settings.cafile) if settings.cafile else None
    context = ssl.create_default_context(cafile=cafile)
    if settings.security == "tls":
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            settings.host, settings.port, timeout=settings.timeout, context=context
        )
    else:
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    try:
        smtp.ehlo()
        if settings.security == "starttls" and not smtp.has_extn("starttls"):
            what = "the password and the mail" if settings.password else "the mail"
            raise _Failure(
                PERMANENT,
                f"{settings.where} offers no STARTTLS: refusing to send {what} unencrypted",
            )
        if settings.security == "starttls":
            smtp.starttls(context=context)
            smtp.ehlo()
    except BaseException:
        smtp.close()
        raise
    return smtp


def _envelope(smtp: smtplib.SMTP, settings: SmtpSettings, eightbit: bool) -> dict[str, str]:
    """MAIL FROM and a RCPT TO for each recipient; those refused, while some are taken."""
    options = []
    if eightbit:  # an 8bit body part: the server must say it takes one (RFC 6152)
        if not smtp.has_extn("8bitmime"):
            raise _Failure(PERMANENT, f"{settings.where} does not take 8-bit mail (8BITMIME)")
        options.append("BODY=8BITMIME")
    sender = settings.sender.addr_spec
    code, reply = smtp.mail(sender, options)
    if code != 250:
        raise _reply_failure(f"{settings.where} refused the sender {sender}", code, reply)
    refused: dict[str, str] = {}
    codes = []
    for recipient in settings.recipients:
        code, reply = smtp.rcpt(recipient.addr_spec)
        if code not in (250, 251):
            refused[recipient.addr_spec] = f"{code} {_one_line(reply)}"
            codes.append(code)
    if len(refused) == len(settings.recipients):
        status = TEMPORARY if all(400 <= code < 500 for code in codes) else PERMANENT
        names = "; ".join(f"{address}: {reply}" for address, reply in refused.items())
        raise _Failure(status, f"{settings.where} refused every recipient: {names}")
    return refused


def _reply_failure(what: str, code: int, reply: bytes | str) -> _Failure:
    """A failure from an SMTP reply: 4xx is temporary, anything else permanent."""
    status = TEMPORARY if 400 <= code < 500 else PERMANENT
    return _Failure(status, f"{what}: {code} {_one_line(reply)}")


def _one_line(reply: bytes | str) -> str:
    """A server's reply as one line of text (multi-line replies joined, bytes decoded)."""
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    return " ".join(text.split())
