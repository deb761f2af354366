"""A real SMTP server for the tests (aiosmtpd, in a thread of the test process), which
keeps every message it accepts, and can be told to refuse an address, to answer slowly,
or to hold a message unanswered (so that a test can kill its sender meanwhile)."""

import asyncio
import contextlib
import email
import email.policy
import re
import threading
from dataclasses import dataclass

from aiosmtpd.controller import Controller

from .processes import free_port


@dataclass
class Received:
    sender: str
    recipients: list
    message: email.message.EmailMessage
    raw: bytes

    @property
    def to(self):
        return self.recipients[0]

    def header(self, name):
        """A header as it came over the wire, unfolded (RFC 5322), or None."""
        head = self.raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
        unfolded = re.sub(r"\r\n[ \t]", " ", head)
        for line in unfolded.split("\r\n"):
            field, _, value = line.partition(":")
            if field.lower() == name.lower():
                return value.strip()
        return None

    def part(self, content_type):
        """The text of the message's part of `content_type` (text/plain, text/html), its
        lines ended as Python's are."""
        for part in self.message.walk():
            if part.get_content_type() == content_type:
                return part.get_content().replace("\r\n", "\n")
        return None


class Handler:
    def __init__(self):
        self.received = []
        # address: (code, reply) to answer its RCPT with, instead of 250.
        self.refuse = {}
        # Hold the n-th message (1-based) unanswered until `release` is set.
        self.hold_at = None
        self.holding = threading.Event()
        self.release = threading.Event()
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            code, reply = self.refuse[address]
            return f"{code} {reply}"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.received.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), message, envelope.content)
            )
            count = len(self.received)
        if self.hold_at == count:
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
        return "250 Message accepted for delivery"

    def to(self, address):
        """The messages received for `address`."""
        with self.lock:
            return [item for item in self.received if address in item.recipients]


@contextlib.contextmanager
def smtp_server():
    """(handler, port) of a running SMTP server, stopped at the end."""
    handler = Handler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield handler, controller.port
    finally:
        handler.release.set()
        controller.stop()


def use_smtp(settings, port):
    """Point Django's mail at the test's SMTP server on `port`."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 10
