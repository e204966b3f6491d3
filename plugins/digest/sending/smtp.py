"""Delivery through any SMTP server: one connection reused for every message,
a rate limit, retries with growing pauses on temporary refusals (4xx) and
dropped connections, and a permanent refusal (5xx) reported with the server's
reply."""

from __future__ import annotations

import os
import smtplib
import ssl
import time
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import parseaddr

from .addresses import mail_form
from .errors import SendSetupError, number_setting, setting_group


class SmtpUnavailable(Exception):
    """The server cannot be reached or refuses the sender: nothing more can go out now."""


@dataclass(frozen=True)
class Outcome:
    state: str  # "sent", "failed" (permanent) or "deferred" (temporary, try a later run)
    detail: str = ""


@dataclass(frozen=True)
class SmtpOptions:
    host: str
    port: int
    security: str  # "starttls", "tls" or "none"
    user: str
    password: str
    timeout: float
    rate_per_second: float
    retries: int
    backoff_seconds: float

    @classmethod
    def from_settings(cls, send: dict, environ=os.environ, need_password=True) -> SmtpOptions:
        """`need_password`: False for a dry run, which checks every other setting."""
        example = '{"host": "smtp.example.com", "port": 587, "security": "starttls"}'
        smtp = setting_group(send, "smtp", 'DIGEST["send"]', example)
        if not smtp.get("host"):
            raise SendSetupError(
                'DIGEST["send"]["smtp"]["host"] is empty. Fix: set it to your mail server '
                '(for example "smtp.example.com") in pelicanconf.py'
            )
        security = smtp.get("security", "starttls")
        if security not in ("starttls", "tls", "none"):
            raise SendSetupError(
                f'DIGEST["send"]["smtp"]["security"] is "{security}". '
                'Fix: write "starttls" (port 587), "tls" (port 465) or "none" (local servers only)'
            )
        password = ""
        if smtp.get("user"):
            variable = smtp.get("password_env", "DIGEST_SMTP_PASSWORD")
            password = environ.get(variable, "")
            if not password and need_password:
                raise SendSetupError(
                    f"The SMTP password is not set. Fix: put it in the environment variable "
                    f"{variable} (export {variable}=...) before sending; never write it in a file "
                    "in the repository"
                )
        return cls(
            host=smtp["host"],
            port=number_setting(smtp, "port", 587, 'DIGEST["send"]["smtp"]', whole=True),
            security=security,
            user=smtp.get("user", ""),
            password=password,
            timeout=number_setting(smtp, "timeout", 60, 'DIGEST["send"]["smtp"]', positive=True),
            rate_per_second=number_setting(send, "rate_per_second", 0, 'DIGEST["send"]'),
            retries=number_setting(send, "retries", 5, 'DIGEST["send"]', whole=True),
            backoff_seconds=number_setting(send, "backoff_seconds", 2, 'DIGEST["send"]'),
        )


TRANSIENT_ERRORS = (smtplib.SMTPServerDisconnected, ConnectionError, TimeoutError, OSError)


class SmtpSender:
    def __init__(self, options: SmtpOptions, sender: str, sleep=time.sleep):
        self.options = options
        try:
            self.envelope_from = mail_form(parseaddr(sender)[1])
        except ValueError as error:
            raise SendSetupError(
                f"site.toml: sender is {sender!r}: its domain cannot be written for mail "
                f"servers ({error}). Fix: check the part after the @"
            ) from error
        self.sleep = sleep
        self.connection: smtplib.SMTP | None = None
        self.connections = 0
        self._last_send = 0.0

    def _connect(self) -> smtplib.SMTP:
        o = self.options
        if o.security == "tls":
            connection = smtplib.SMTP_SSL(
                o.host, o.port, timeout=o.timeout, context=ssl.create_default_context()
            )
        else:
            connection = smtplib.SMTP(o.host, o.port, timeout=o.timeout)
            if o.security == "starttls":
                connection.starttls(context=ssl.create_default_context())
        if o.user:
            connection.login(o.user, o.password)
        self.connections += 1
        return connection

    def _connection(self) -> smtplib.SMTP:
        if self.connection is None:
            last_error: Exception | None = None
            for attempt in range(self.options.retries + 1):
                try:
                    self.connection = self._connect()
                    break
                except smtplib.SMTPAuthenticationError as error:
                    raise SmtpUnavailable(
                        f"The server refused the login ({error.smtp_code} "
                        f"{_text(error.smtp_error)}). Fix: check the user and the password"
                    ) from error
                except (smtplib.SMTPException, *TRANSIENT_ERRORS) as error:
                    last_error = error
                    self._pause(attempt)
            else:
                raise SmtpUnavailable(
                    f"Cannot connect to {self.options.host}:{self.options.port} ({last_error})"
                )
        return self.connection

    def takes_utf8_mailboxes(self) -> bool:
        """Whether the server offers SMTPUTF8 in its EHLO answer (RFC 6531), which an
        address with letters beyond ASCII before the @ needs. SmtpUnavailable when
        it cannot be reached."""
        connection = self._connection()
        try:
            connection.ehlo_or_helo_if_needed()
        except (smtplib.SMTPException, *TRANSIENT_ERRORS) as error:
            self._drop()
            raise SmtpUnavailable(
                f"{self.options.host}:{self.options.port} did not answer EHLO ({error})"
            ) from error
        return connection.has_extn("smtputf8")

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.quit()
            except (smtplib.SMTPException, *TRANSIENT_ERRORS):
                self.connection.close()
            self.connection = None

    def _drop(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            finally:
                self.connection = None

    def _pause(self, attempt: int) -> None:
        self.sleep(self.options.backoff_seconds * (2**attempt))

    def _wait_for_rate(self) -> None:
        if self.options.rate_per_second > 0:
            gap = 1 / self.options.rate_per_second - (time.monotonic() - self._last_send)
            if gap > 0:
                self.sleep(gap)
        self._last_send = time.monotonic()

    def deliver(self, to: str, message: EmailMessage) -> Outcome:
        """Send `message` to `to` alone (its domain IDNA-encoded, as servers take it);
        retries temporary problems, never a 5xx."""
        detail = ""
        to = mail_form(to)
        for attempt in range(self.options.retries + 1):
            if attempt:
                self._pause(attempt - 1)
            connection = self._connection()
            self._wait_for_rate()
            try:
                connection.send_message(message, self.envelope_from, [to])
                return Outcome("sent")
            except smtplib.SMTPNotSupportedError as error:
                # Letters beyond ASCII before the @, and a server without SMTPUTF8
                # (the run checks this first; here for a --test address).
                return Outcome(
                    "failed",
                    "the server does not offer SMTPUTF8, which the letters beyond ASCII "
                    f"before the @ need ({error})",
                )
            except smtplib.SMTPRecipientsRefused as error:
                code, reply = error.recipients.get(to, (0, b""))
            except smtplib.SMTPSenderRefused as error:
                code, reply = error.smtp_code, error.smtp_error
                if code >= 500:
                    raise SmtpUnavailable(
                        f"The server refused the sender {self.envelope_from} ({code} "
                        f'{_text(reply)}). Fix: set DIGEST["from"] to an address it accepts'
                    ) from error
            except smtplib.SMTPResponseException as error:
                code, reply = error.smtp_code, error.smtp_error
            except TRANSIENT_ERRORS as error:
                self._drop()
                detail = f"connection lost ({error or type(error).__name__})"
                continue
            detail = f"{code} {_text(reply)}"
            if 500 <= code < 600:
                return Outcome("failed", detail)
            # A temporary refusal: start afresh on a new connection after a pause.
            self._drop()
        return Outcome("deferred", detail)


def _text(reply) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
