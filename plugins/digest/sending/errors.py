"""What stops a send, as messages for the coach: which setting or answer, what is
wrong, what to do."""

from __future__ import annotations


class SendSetupError(SystemExit):
    """The sending settings cannot work: says which setting to change."""


class ApiError(Exception):
    """The provider answered with an error, or not at all: the message says which
    request, the provider's reply and what to do."""


class ProviderStateError(Exception):
    """The provider holds the issue in a state that is neither ready to send nor
    delivered (paused, cancelled, errored, ...): says what to do in its site."""
