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


def number_setting(
    config: dict, key: str, default: float, where: str, whole: bool = False, positive=False
):
    """config[key] as a number of at least 0, above 0 when `positive` (an int when
    `whole`); SendSetupError naming the setting (`where`, like 'DIGEST["send"]')
    when it is not one. A timeout is `positive`: 0 would make a socket never wait."""
    value = config.get(key, default)
    try:
        number = int(value) if whole else float(value)
        if isinstance(value, bool) or number < 0 or (whole and number != float(value)):
            raise ValueError(value)
        if positive and number == 0:
            raise ValueError(value)
    except (TypeError, ValueError) as error:
        kind = "a whole number" if whole else "a number"
        bound = "above 0" if positive else "of 0 or more"
        raise SendSetupError(
            f'{where}["{key}"] is {value!r}. Fix: write {kind} {bound}, like {default!r}'
        ) from error
    return number


def setting_group(config: dict, key: str, where: str, example: str) -> dict:
    """config[key], a group of settings in braces ({} when unset); SendSetupError
    naming the setting and showing `example` when it is anything else (a string
    where the group belongs, like "smtp": "127.0.0.1")."""
    value = config.get(key) or {}
    if not isinstance(value, dict):
        raise SendSetupError(
            f'{where}["{key}"] is {value!r}, but it holds a group of settings. '
            f'Fix: write it in braces, like "{key}": {example}'
        )
    return value
