"""What stops a send, as messages for the coach: which setting or answer, what is
wrong, what to do."""

from __future__ import annotations


class SendSetupError(SystemExit):
    """The sending settings cannot work: says which setting to change."""


class ApiError(Exception):
    """The provider answered with an error, or not at all: the message says which
    request, the provider's reply and what to do; `status` is the HTTP status."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


class ProviderStateError(Exception):
    """The provider holds the issue in a state that is neither ready to send nor
    delivered (paused, cancelled, errored, ...): says what to do in its site."""


def number_setting(config: dict, key: str, default: float, where: str, whole: bool = False):
    """config[key] as a number of at least 0 (an int when `whole`); SendSetupError
    naming the setting (`where`, like 'DIGEST["send"]') when it is not one."""
    value = config.get(key, default)
    try:
        number = int(value) if whole else float(value)
        if isinstance(value, bool) or number < 0 or (whole and number != float(value)):
            raise ValueError(value)
    except (TypeError, ValueError) as error:
        kind = "a whole number" if whole else "a number"
        raise SendSetupError(
            f'{where}["{key}"] is {value!r}. Fix: write {kind} of 0 or more, like {default!r}'
        ) from error
    return number
