"""A real SMTP server (aiosmtpd) on 127.0.0.1 for the sending tests, with the
faults a real server shows: temporary refusals, a permanent refusal for one
address, and a connection dropped in the middle of a message."""

from __future__ import annotations

import email
import socket
import threading
from collections import Counter
from email import policy

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Mailbox:
    """The aiosmtpd handler: keeps every accepted message; faults are set by the test."""

    def __init__(self):
        self.lock = threading.Lock()
        self.received: list[tuple[list[str], bytes]] = []
        self.refuse_mail = 0  # this many MAIL FROM commands get 421
        self.defer_rcpt = 0  # this many RCPT TO commands get 451
        self.refuse_for_good: set[str] = set()  # these addresses get 550
        self.drop_at: set[int] = set()  # the n-th DATA (1-based) loses its connection
        self.data_commands = 0
        self.sessions = 0
        self.keep_content = True  # False: only who got a message (benchmarks of 100,000)

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        with self.lock:
            self.sessions += 1
        session.host_name = hostname
        return responses

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        with self.lock:
            if self.refuse_mail > 0:
                self.refuse_mail -= 1
                return "421 4.7.0 Too busy, try again later"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            if address in self.refuse_for_good:
                return "550 5.1.1 No such mailbox here"
            if self.defer_rcpt > 0:
                self.defer_rcpt -= 1
                return "451 4.2.0 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.data_commands += 1
            if self.data_commands in self.drop_at:
                server.transport.abort()
                return "421 dropped"
            content = envelope.original_content if self.keep_content else b""
            self.received.append((list(envelope.rcpt_tos), content))
        return "250 2.0.0 Accepted"

    def per_recipient(self) -> Counter:
        with self.lock:
            return Counter(to for tos, _ in self.received for to in tos)

    def messages(self) -> list:
        with self.lock:
            return [
                (tos, email.message_from_bytes(data, policy=policy.default))
                for tos, data in self.received
            ]


class MailServer:
    """`smtputf8`: the server takes addresses with non-ASCII letters (RFC 6531)."""

    def __init__(self, smtputf8: bool = False):
        self.mailbox = Mailbox()
        self.port = free_port()
        self.controller = Controller(
            self.mailbox, hostname="127.0.0.1", port=self.port, enable_SMTPUTF8=smtputf8
        )

    def __enter__(self) -> MailServer:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()
