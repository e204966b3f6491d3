"""The providers' HTTP APIs, shared by the Buttondown and Mailchimp backends: the
API key from the environment, and requests retried a bounded number of times with
growing pauses on 429, 5xx and network errors, honouring Retry-After.

A request that would do its work twice if repeated (a create without an
idempotency key, Mailchimp's send action) is repeated only when the provider
cannot have acted on it: a 429 answer, or no connection at all. A resumed run then
asks the provider for the state of what was made before doing anything again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime

import requests

from .addresses import has_control_characters
from .errors import ApiError, ProviderStateError, SendSetupError, number_setting

RETRIED_STATUSES = {429, 500, 502, 503, 504}


def api_key(config: dict, default_variable: str, environ) -> str:
    variable = config.get("api_key_env", default_variable)
    key = environ.get(variable, "")
    if not key:
        raise SendSetupError(
            f"The API key is not set. Fix: put it in the environment variable {variable} "
            f"(export {variable}=...) before sending; never write it in a file in the repository"
        )
    # Never shown in a message: the key is a secret (a header error would print it).
    if key != key.strip():
        raise SendSetupError(
            f"{variable} has a space or line break at its start or end. Fix: copy the key "
            f"again from your provider and set {variable} to exactly it"
        )
    if has_control_characters(key) or " " in key:
        raise SendSetupError(
            f"{variable} has a space or a control character in it. Fix: copy the key again "
            f"from your provider and set {variable} to exactly it"
        )
    return key


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds: a number of seconds or an HTTP date (RFC 9110)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _reply(response: requests.Response) -> str:
    try:
        data = response.json()
        reply = (data.get("detail") or data.get("message") or response.text) if data else ""
    except (ValueError, AttributeError):
        reply = response.text
    return str(reply)[:300]


class ApiClient:
    """One provider's API: `request` returns the decoded JSON answer or raises ApiError."""

    def __init__(
        self,
        base: str,
        session: requests.Session,
        send: dict,
        timeout: float,
        sleep: Callable[[float], None] = time.sleep,
        limit_window: float | None = None,
    ):
        """`limit_window`: for a provider whose 429 carries no Retry-After (Kit), the
        seconds its documentation says the limit takes to reset; the wait after a
        429 starts there and doubles."""
        self.base = base.rstrip("/")
        self.limit_window = limit_window
        self.session = session
        self.timeout = timeout
        where = 'DIGEST["send"]'
        self.retries = number_setting(send, "retries", 5, where, whole=True)
        self.backoff = number_setting(send, "backoff_seconds", 2, where)
        self.longest_wait = number_setting(send, "longest_wait_seconds", 300, where)
        self.sleep = sleep

    def _pause(self, attempt: int, retry_after: float | None, status: int = 0) -> None:
        if retry_after is not None:
            wait = retry_after
        elif status == 429 and self.limit_window is not None:
            wait = self.limit_window * (2**attempt)
        else:
            wait = self.backoff * (2**attempt)
        self.sleep(min(wait, self.longest_wait))

    def request(
        self,
        method: str,
        path: str,
        what: str,
        body: dict | None = None,
        headers: dict | None = None,
        repeatable: bool = True,
    ) -> dict:
        """`what` names the step for the coach ("Creating the Buttondown email").
        `repeatable`: repeating the request cannot do its work twice."""
        problem = ""
        for attempt in range(self.retries + 1):
            try:
                response = self.session.request(
                    method, self.base + path, json=body, headers=headers, timeout=self.timeout
                )
            except (requests.ConnectionError, requests.Timeout) as error:
                problem = _network_problem(error, self.timeout)
                if not (repeatable or _never_connected(error)):
                    raise ApiError(f"{what}: {problem}") from error
                if attempt < self.retries:
                    self._pause(attempt, None)
                continue
            except requests.RequestException as error:
                raise ApiError(f"{what}: the request could not be made ({error})") from error
            status = response.status_code
            if status in RETRIED_STATUSES and (repeatable or status == 429):
                problem = f"HTTP {status}: {_reply(response)}"
                if attempt < self.retries:
                    retry_after = retry_after_seconds(response.headers.get("Retry-After"))
                    self._pause(attempt, retry_after, status)
                continue
            if status >= 400:
                raise ApiError(f"{what} failed: HTTP {status}: {_reply(response)}", status)
            try:
                answer = response.json() if response.content else {}
            except ValueError as error:
                raise ApiError(f"{what}: the answer is not JSON: {response.text[:200]}") from error
            if not isinstance(answer, dict):
                raise ApiError(f"{what}: the answer is not a JSON object: {response.text[:200]}")
            return answer
        raise ApiError(f"{what} failed {self.retries + 1} times; the last time: {problem}")


def _network_problem(error: requests.RequestException, timeout: float) -> str:
    if isinstance(error, requests.ReadTimeout):
        return f"no answer within {timeout:g} s"
    return f"no connection ({type(error).__name__}: {str(error)[:200]})"


def _never_connected(error: requests.RequestException) -> bool:
    """True when the request cannot have reached the provider (no connection made)."""
    if isinstance(error, requests.ConnectTimeout):
        return True
    text = str(error)
    return isinstance(error, requests.ConnectionError) and any(
        sign in text for sign in ("Connection refused", "NewConnectionError", "Name or service")
    )


def issue_marker(issue) -> str:
    """What marks the provider's copy of this issue, begun once in the ledger: a
    run that does not know whether its create went through looks for it (with the
    subject) before creating again; a ledger deleted to start afresh makes a new one."""
    return f"Newsletter #{issue.number} (begun {issue.started})"


# The ledger's state while a create is on its way: its answer may be lost.
CREATING = "creating"


def created_once(issue, ledger, ready: str, find, create) -> str:
    """The provider's id for the issue's draft: the one in the ledger, the one a
    lost answer made (`find`, by subject and marker), or a new one (`create`),
    recorded in the ledger before anything can send it. For providers that
    document no idempotency key (Kit, MailerLite)."""
    if issue.remote_id:
        return issue.remote_id
    if issue.remote_state == CREATING:
        found = find(issue)
        if found:
            ledger.set_remote(issue.number, found, ready)
            return found
    ledger.set_remote(issue.number, "", CREATING)
    made = create()
    ledger.set_remote(issue.number, made, ready)
    return made


def field(answer: dict, name: str, what: str) -> str:
    """A field the provider's answer must have; ApiError naming the step when missing."""
    value = answer.get(name)
    if not isinstance(value, str | int) or value == "":
        raise ApiError(f"{what}: the answer has no {name}: {str(answer)[:200]}")
    return str(value)


def trusted_status(status: str, states: dict, provider: str, item: str) -> str:
    """The status when `states` (from the provider's documentation) names it as
    the draft ("ready") or as delivering ("delivering"); otherwise a
    ProviderStateError naming the state and what to do ("stopped", or a look at
    `item` in the provider's site)."""
    if status == states["ready"] or status in states["delivering"]:
        return status
    todo = states["stopped"].get(status) or (
        f"{provider}'s documentation does not list this status, so it is not trusted; "
        f"look at the {item.split()[0]} in {provider}"
    )
    raise ProviderStateError(
        f'The {provider} {item} for this issue is "{status}": {todo}. '
        "Nothing is recorded as sent; run the command again afterwards"
    )
