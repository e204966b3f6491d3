"""`invoke send-digest`: deliver the pending issue through the backend set in
DIGEST["send"]["backend"], resuming from the ledger, and record the issue as sent
only once every recipient has a final state and someone got it (SMTP), or the
provider holds it in a state its documentation calls delivered or delivering.

A new issue is the one this run composes from its own content, clock and settings;
one composed earlier is sent only when it is the same (`of_now`)."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from ..compose import ComposedIssue, issue_lines, write_issue
from ..of_now import (
    RECORDS,
    differences,
    future_moment_problem,
    moment_is_later_than_clock,
)
from ..record import SentIssue, carried_ids, load_record, save_record
from ..stored_issue import read_manifest, read_to_fill
from ..stored_text import shown as shown_path
from ..urls import site_url
from .addresses import address_key, is_address, needs_smtputf8
from .buttondown import Buttondown
from .drafts import check_mark_sent, make_draft, send_mode
from .errors import ApiError, ProviderStateError, SendSetupError
from .kit import Kit
from .ledger import FINAL, IssueSnapshot, Ledger
from .letters import check_unsubscribe_settings, check_unsubscribe_slot, letter, unsubscribe_link
from .mailchimp import Mailchimp
from .mailerlite import MailerLite
from .smtp import SmtpOptions, SmtpSender, SmtpUnavailable
from .subscribers import read_subscribers

API_BACKENDS = {
    "buttondown": Buttondown,
    "mailchimp": Mailchimp,
    "kit": Kit,
    "mailerlite": MailerLite,
}
BACKENDS = ("smtp", *API_BACKENDS)


def send_settings(settings: dict) -> dict:
    return settings["DIGEST"].get("send") or {}


def ledger_path(settings: dict) -> str:
    ledger = send_settings(settings).get("ledger", "newsletter/sending.sqlite")
    return os.path.join(settings["PATH"], ledger)


def waiting_in_ledger(settings: dict, number: int) -> int:
    """How many subscribers the ledger still has to send issue `number` to."""
    path = ledger_path(settings)
    if not os.path.exists(path):
        return 0
    ledger = Ledger(path, writing=False)
    try:
        return ledger.waiting_count(number)
    finally:
        ledger.close()


def composed_issue(
    folder: str, issues: list[SentIssue], command: str = "send-digest", compose: str = "digest"
) -> tuple[dict, IssueSnapshot] | None:
    """The issue composed in `folder` (its issue.json, and what is sent) if it is
    the next one and not yet sent (and composed with a place for each reader's
    unsubscribe link). A damaged file stops `invoke {command}` (`stored_issue`)."""
    manifest = read_manifest(folder, command, compose)
    if manifest is None or manifest["number"] != len(issues) + 1:
        return None
    if carried_ids(issues) & set(manifest["articles"]):
        return None
    to_fill = read_to_fill(folder, command, compose)
    if to_fill is None:
        return None  # composed by an older version: compose it again
    page, text = to_fill
    snapshot = IssueSnapshot(
        manifest["number"], manifest["subject"], tuple(manifest["articles"]), page, text
    )
    return manifest, snapshot


def _snapshot(issue: ComposedIssue) -> IssueSnapshot:
    return IssueSnapshot(
        issue.number,
        issue.subject,
        tuple(issue.article_ids),
        issue.html_to_fill,
        issue.text_to_fill,
    )


def _check_retry_failed(backend: str, trying: bool) -> None:
    """--retry-failed sends again through SMTP, where this project sends each copy
    and knows who refused it; anything else would ignore it without a word."""
    if trying:
        raise SendSetupError(
            "--retry-failed sends the issue again; it goes with neither --test nor "
            "--dry-run. Nothing was sent. Fix: run `invoke send-digest --retry-failed` alone"
        )
    if backend != "smtp":
        shown = f'"{backend}"' if backend else "not set"
        raise SendSetupError(
            f'--retry-failed is for sending by SMTP, and DIGEST["send"]["backend"] is {shown}: '
            "a provider sends each issue to everyone itself, and its own site shows who did "
            "not get it. Nothing was sent. Fix: run `invoke send-digest` without it"
        )


class Sending:
    """One run of `invoke send-digest`; `say` prints a line for the coach."""

    def __init__(self, settings: dict, record: str, folder: str, say: Callable = print):
        self.settings = settings
        self.send = send_settings(settings)
        self.backend = self.send.get("backend", "")
        if self.backend not in ("", *BACKENDS):
            raise SendSetupError(
                f'DIGEST["send"]["backend"] is "{self.backend}". Fix: write one of '
                + ", ".join(f'"{b}"' for b in BACKENDS)
                + ' (or "" to only show what would be sent)'
            )
        self.mode = send_mode(self.send, self.backend)
        self.record = record
        self.folder = folder
        self.say = say
        self.zone = ZoneInfo(settings["TIMEZONE"])
        # The commands as the coach runs them, for a fix that says which to run.
        default_folder = os.path.abspath(settings["DIGEST"].get("out", "newsletter-issue"))
        self.out_option = [] if folder == default_folder else [f"--out {shown_path(folder)}"]
        self.command = " ".join(["send-digest", *self.out_option])
        self.compose_command = " ".join(["digest", *self.out_option])

    def now(self) -> datetime:
        return datetime.now(self.zone).replace(microsecond=0)

    def run(
        self,
        compose: Callable[[], None],
        dry_run: bool = False,
        test: str = "",
        retry_failed: bool = False,
        mark_sent: bool = False,
    ) -> int:
        """Returns the exit status: 0 when done (or nothing to do), 1 when some wait.
        `retry_failed`: who was refused for good gets the unfinished issue again."""
        flags = ["--dry-run"] * dry_run + [f"--test {test}"] * bool(test) + self.out_option
        self.command = " ".join(["send-digest", *flags])
        if test and not is_address(test):
            raise SendSetupError(
                f"--test {test!r} is not one email address. "
                "Fix: write it like --test you@example.com"
            )
        if retry_failed:
            _check_retry_failed(self.backend, dry_run or bool(test))
        if mark_sent and (dry_run or test or retry_failed or self.backend not in API_BACKENDS):
            raise SendSetupError(
                "--mark-sent records an issue made as a draft in your provider (Buttondown, "
                "Mailchimp, Kit or MailerLite) once you sent it there; it goes alone, and "
                "with such a backend. Nothing was recorded. Fix: run `invoke send-digest "
                "--mark-sent` alone; for an issue sent another way, `invoke digest --mark-sent`"
            )
        if not self.backend and not dry_run:
            if test:
                raise SendSetupError(
                    'No sending backend is set. Fix: set DIGEST["send"]["backend"] to '
                    '"smtp", "buttondown", "mailchimp", "kit" or "mailerlite" in pelicanconf.py'
                )
            self.say('No sending backend is set (DIGEST["send"]["backend"]): a dry run.')
            dry_run = True
        if not dry_run:  # a dry run may look ahead; what sends may not
            hint = "; to see that day's issue, add --dry-run"
            if mark_sent:
                problem = future_moment_problem(self.settings, "send-digest --mark-sent", RECORDS)
            else:
                command = "send-digest --test" if test else "send-digest"
                problem = future_moment_problem(self.settings, command, hint=hint)
            if problem:
                raise SendSetupError(problem)
        if self.backend == "smtp":  # every SMTP setting but the secret, even in a dry run
            SmtpOptions.from_settings(self.send, need_password=not dry_run)
        path = ledger_path(self.settings)
        if dry_run or test:
            ledger = Ledger(path, writing=False) if os.path.lexists(path) else None
            try:
                issue = self._issue(ledger, compose, writing=False)
                if issue is None:
                    return 0
                check_unsubscribe_slot(issue, os.path.relpath(path))
                if dry_run:
                    return self._dry_test(issue, test) if test else self._dry_run(issue, ledger)
                return self._test(issue, test)
            finally:
                if ledger is not None:
                    ledger.close()
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        with open(os.path.join(os.path.dirname(path), ".sending.lock"), "w") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as error:
                raise SendSetupError(
                    "Another send-digest is running; wait for it to finish."
                ) from error
            ledger = Ledger(path)
            try:
                if mark_sent:
                    return self._mark_sent(ledger)
                issue = self._issue(ledger, compose, writing=True, retry_failed=retry_failed)
                if issue is None:
                    return 0
                check_unsubscribe_slot(issue, os.path.relpath(path))
                self._check_same_backend(issue)
                if self.backend == "smtp":
                    return self._send_smtp(issue, ledger, retry_failed)
                return self._send_api(issue, ledger)
            finally:
                ledger.close()

    def _issue(
        self, ledger: Ledger | None, compose, writing: bool, retry_failed: bool = False
    ) -> IssueSnapshot | None:
        """The issue being sent (resumed from the ledger) or the next one, as this run
        composes it (and as composed earlier, when that is the same)."""
        issues = load_record(self.record)
        if ledger is not None:
            started = ledger.unfinished_issue()
            if started is None and retry_failed:
                return self._reopened(ledger)
            if started is not None and started.number <= len(issues):
                waiting = ledger.waiting_count(started.number)
                if waiting:  # recorded by other means: who waits still gets it
                    self.say(
                        f"Issue #{started.number} is recorded as sent, but {waiting} "
                        "subscribers have not got it from send-digest yet: sending it to them."
                    )
                else:  # recorded by a run killed just after it, or by hand
                    if writing:
                        ledger.finish(started.number)
                    started = None
            if started is not None:
                self.say(f"Resuming issue #{started.number}: {started.subject}")
                return started
        return self._issue_of_now(compose(), issues, writing)

    def _issue_of_now(
        self, fresh: ComposedIssue | None, issues: list[SentIssue], writing: bool
    ) -> IssueSnapshot | None:
        """`fresh`, the issue this run composes (None: nothing new), checked against the
        one composed earlier in the folder: that one is never sent unless it is the same.
        `writing`: a real send keeps what it sends in the folder, to read."""
        shown = os.path.relpath(self.folder)
        on_disk = manifest = None
        if not writing and moment_is_later_than_clock(self.settings):
            # A dry run looking at a later day: that day's issue, whatever is composed.
            self.say(
                "BUILD_MOMENT is later than now: this is the issue as it would be then "
                "(a real send refuses that moment; nothing is written for it)."
            )
        else:
            manifest, on_disk = composed_issue(
                self.folder, issues, self.command, self.compose_command
            ) or (None, None)
        if on_disk is not None:
            check_unsubscribe_slot(on_disk, os.path.relpath(ledger_path(self.settings)))
            on_disk_parts = (on_disk.subject, on_disk.html, on_disk.text)
            site = site_url(self.settings)
            reasons = "; ".join(differences(manifest, on_disk_parts, fresh, site))
            if reasons and fresh is None:
                self.say(
                    f"Nothing to send: nothing is new now. The issue composed in {shown} "
                    f"(#{on_disk.number}) is not sent: {reasons}."
                )
                return None
            if reasons:
                raise SendSetupError(
                    f"{shown}: issue #{on_disk.number} there is not what the site makes now: "
                    f"{reasons}. Nothing was sent. Fix: run `invoke digest` to compose it "
                    "again as of now and read it, then run `invoke send-digest`"
                )
        if fresh is None:
            self.say("Nothing to send: no new issue (run `invoke digest` to see what is new).")
            return None
        for line in issue_lines(fresh):
            self.say(line)
        if on_disk is not None:
            self.say(f"The issue composed in {shown} is the same: nothing changed since.")
        elif writing:
            write_issue(fresh, self.folder, self.now())
            self.say(f"Written to {shown}: message.eml, email.html, email.txt")
        return _snapshot(fresh)

    def _reopened(self, ledger: Ledger) -> IssueSnapshot | None:
        """--retry-failed after the issue was recorded: the latest issue again, to
        who refused it for good (and no one new)."""
        latest = ledger.latest_issue()
        failed = ledger.counts(latest.number).get("failed", 0) if latest else 0
        if not failed:
            which = f"issue #{latest.number}" if latest else "any issue"
            self.say(
                f"--retry-failed: no one refused {which} for good, so there is no one to send "
                "it again to. Nothing was sent. To send the next issue, run `invoke "
                "send-digest` without --retry-failed."
            )
            return None
        ledger.reopen(latest.number)
        self.say(f"Issue #{latest.number} was recorded as sent; {failed} refused it for good.")
        return ledger.issue(latest.number)

    def _check_same_backend(self, issue: IssueSnapshot) -> None:
        """An issue begun through one backend is finished through it: another would
        send it a second time to everyone."""
        if not issue.backend or issue.backend == self.backend:
            return
        held = f" (its id there: {issue.remote_id})" if issue.remote_id else ""
        raise SendSetupError(
            f'Issue #{issue.number} was begun with the backend "{issue.backend}"{held}, but '
            f'DIGEST["send"]["backend"] is now "{self.backend}": sending it that way would '
            "send it twice. Nothing was sent. Fix: set it back to "
            f'"{issue.backend}" (in pelicanconf.py or DIGEST_SEND) and run the command again '
            "to finish this issue; the next issue can go out with the new backend"
        )

    def _subscribers(self):
        """Every subscriber, every field checked (and the settings that shape their
        copies) before the first message goes out."""
        check_unsubscribe_settings(self.settings)
        path = self.send.get("subscribers", "subscribers.csv")
        if not isinstance(path, str) or not path.strip():
            raise SendSetupError(
                f'DIGEST["send"]["subscribers"] is {path!r}, but it is the path of the '
                'subscriber list, a CSV file. Fix: write "subscribers.csv" and put the '
                "subscribers in that file, under the header line email,name"
            )
        return read_subscribers(path)

    def _dry_run(self, issue: IssueSnapshot, ledger: Ledger | None) -> int:
        backend = self.backend or "smtp"
        self.say(f"Dry run: nothing is sent. Issue #{issue.number}: {issue.subject}")
        if backend in API_BACKENDS:
            made = API_BACKENDS[backend](self.settings).describe()
            if self.mode == "draft":
                self.say(f"Would make it a draft, not sent: {made}.")
            else:
                self.say(f"Would send it as {made}.")
            return 0
        done = {}
        if ledger is not None:
            done = {address_key(r.email): r.state for r in ledger.recipients(issue.number)}
        waiting = 0
        for subscriber in self._subscribers():
            state = done.get(address_key(subscriber.email), "pending")
            if state in ("pending", "sending"):
                waiting += 1
                link = unsubscribe_link(self.settings, subscriber.email, subscriber.unsubscribe_url)
                self.say(
                    f"  would send to {subscriber.name} <{subscriber.email}>  unsubscribe: {link}"
                )
            else:
                self.say(f"  already {state}: {subscriber.email}")
        self.say(f"{waiting} would be sent from {self.settings['DIGEST']['from']}.")
        return 0

    def _dry_test(self, issue: IssueSnapshot, address: str) -> int:
        """--dry-run --test: what the test would be; nothing goes anywhere."""
        self.say(f"Dry run: nothing is sent. Issue #{issue.number}: {issue.subject}")
        if not self.backend:
            self.say(
                f"Would send one [TEST] copy to {address}, but no sending backend is set. "
                'To send it: set DIGEST["send"]["backend"] to '
                + ", ".join(f'"{b}"' for b in BACKENDS)
                + " in pelicanconf.py"
            )
            return 0
        if self.backend == "smtp":
            options = SmtpOptions.from_settings(self.send, need_password=False)
            how = f"by SMTP through {options.host}:{options.port}"
        else:  # what the provider's API allows: a real --test says why when it has none
            how = f"through {self.backend}'s API"
        self.say(f"Would send one [TEST] copy to {address} {how}; nothing would be recorded.")
        return 0

    def _test(self, issue: IssueSnapshot, address: str) -> int:
        if self.backend == "smtp":
            sender = SmtpSender(
                SmtpOptions.from_settings(self.send), self.settings["DIGEST"]["from"]
            )
            message = letter(issue, self.settings, address, "", "", self.now(), test=True)
            try:
                outcome = sender.deliver(address, message)
            except SmtpUnavailable as error:
                self.say(str(error))
                return 1
            finally:
                sender.close()
            if outcome.state != "sent":
                self.say(f"The test to {address} was not sent: {outcome.detail}")
                return 1
        else:
            try:
                note = API_BACKENDS[self.backend](self.settings).send_test(issue, address)
            except ApiError as error:
                self.say(str(error))
                return 1
            if note:
                self.say(note)
        self.say(f"Sent one [TEST] copy of issue #{issue.number} to {address}; nothing recorded.")
        return 0

    def _send_smtp(self, issue: IssueSnapshot, ledger: Ledger, retry_failed: bool) -> int:
        subscribers = self._subscribers()  # every problem is reported before anything is sent
        sender = SmtpSender(SmtpOptions.from_settings(self.send), self.settings["DIGEST"]["from"])
        try:
            self._check_utf8_mailboxes(sender, subscribers, ledger, issue.number, retry_failed)
        except SmtpUnavailable as error:
            sender.close()
            self.say(f"Stopped: {error}. Nothing was sent; run the command again to go on.")
            return 1
        ledger.begin_issue(replace(issue, backend="smtp"))
        issue = ledger.issue(issue.number)
        if retry_failed:
            again = ledger.retry_failed(issue.number)
            self.say(f"--retry-failed: sending again to {again} refused for good.")
        recorded = issue.number <= len(load_record(self.record))
        added, dropped = ledger.sync_recipients(issue.number, subscribers, add_new=not recorded)
        if dropped:
            self.say(f"{dropped} who left the list since the last run will not get it.")
        waiting = ledger.waiting(issue.number)
        self.say(f"Sending issue #{issue.number} to {len(waiting)} recipients by SMTP.")
        sent = 0
        try:
            for recipient in waiting:
                if recipient.state == "sending":
                    self.say(f"  {recipient.email}: was in flight when the last run stopped; again")
                try:
                    message = letter(
                        issue,
                        self.settings,
                        recipient.email,
                        recipient.name,
                        recipient.unsubscribe_url,
                        self.now(),
                    )
                except ValueError as error:  # the list is checked first; this is the backstop
                    ledger.mark(issue.number, recipient.email, "failed", f"not sent: {error}")
                    self.say(f"  {recipient.email}: not sent: {error}")
                    continue
                ledger.mark(issue.number, recipient.email, "sending")
                try:
                    outcome = sender.deliver(recipient.email, message)
                except SmtpUnavailable as error:
                    ledger.mark(issue.number, recipient.email, "pending", str(error))
                    self.say(f"Stopped: {error}. Run the command again to go on.")
                    break
                if outcome.state == "deferred":
                    ledger.mark(issue.number, recipient.email, "pending", outcome.detail)
                    self.say(
                        f"  {recipient.email}: not yet ({outcome.detail}); a later run retries"
                    )
                else:
                    ledger.mark(issue.number, recipient.email, outcome.state, outcome.detail)
                    if outcome.state == "failed":
                        self.say(f"  {recipient.email}: refused for good: {outcome.detail}")
                    else:
                        sent += 1
        finally:
            sender.close()
        return self._conclude(issue, ledger, sent)

    def _check_utf8_mailboxes(
        self, sender: SmtpSender, subscribers, ledger: Ledger, number: int, retry_failed: bool
    ) -> None:
        """Letters beyond ASCII before the @ need a server that offers SMTPUTF8: asked
        of the server (its EHLO answer) before anyone is marked, not found out by
        refusing them one by one."""
        settled = {"sent", "dropped"} if retry_failed else set(FINAL)
        done = {address_key(r.email) for r in ledger.recipients(number) if r.state in settled}
        needing = [
            s.email
            for s in subscribers
            if needs_smtputf8(s.email) and address_key(s.email) not in done
        ]
        if not needing or sender.takes_utf8_mailboxes():
            return
        options = sender.options
        raise SendSetupError(
            f"The mail server {options.host}:{options.port} does not take addresses with "
            "letters beyond ASCII before the @ (its EHLO answer has no SMTPUTF8), and "
            f"{len(needing)} subscriber{'s have' if len(needing) > 1 else ' has'} one: "
            f"{', '.join(needing[:10])}{' ...' if len(needing) > 10 else ''}. Nothing was sent. "
            "Fix: ask them for another address and change it in the subscriber list (or "
            "delete their lines), or send through a server that offers SMTPUTF8"
        )

    def _conclude(self, issue: IssueSnapshot, ledger: Ledger, sent: int) -> int:
        counts = ledger.counts(issue.number)
        waiting = ledger.waiting_count(issue.number)
        summary = ", ".join(f"{n} {state}" for state, n in sorted(counts.items()))
        self.say(f"Issue #{issue.number}: {sent} sent in this run; in all {summary}.")
        if waiting:
            self.say(f"{waiting} still waiting: run `invoke send-digest` again later.")
            return 1
        if not counts.get("sent"):
            self.say(
                f"No one has received issue #{issue.number}, so it is not recorded as sent, "
                "and later issues wait for it. Fix the problems above (the server's settings, "
                "or the subscriber list), then run `invoke send-digest --retry-failed` to send "
                f"it again to the {counts.get('failed', 0)} refused for good."
            )
            return 1
        self._record_sent(issue, ledger)
        return 0

    def _record_sent(self, issue: IssueSnapshot, ledger: Ledger) -> None:
        issues = load_record(self.record)
        shown = os.path.relpath(self.record)
        if issue.number != len(issues) + 1:
            ledger.finish(issue.number)
            self.say(f"Issue #{issue.number} was already recorded as sent in {shown}.")
            return
        when = self.now().isoformat()
        issues.append(SentIssue(issue.number, when, issue.subject, issue.articles))
        save_record(self.record, issues)
        ledger.finish(issue.number)
        self.say(f"Recorded issue #{issue.number} as sent in {shown}; commit that file.")

    def _send_api(self, issue: IssueSnapshot, ledger: Ledger) -> int:
        backend = API_BACKENDS[self.backend](self.settings)
        ledger.begin_issue(replace(issue, backend=self.backend))
        issue = ledger.issue(issue.number)
        try:
            if self.mode == "draft":
                return make_draft(backend, issue, ledger, self.say)
            status = backend.send(issue, ledger)
        except ApiError as error:
            self.say(f"{error}. Nothing is recorded as sent; run the command again to go on.")
            return 1
        except ProviderStateError as error:
            self.say(str(error))
            return 1
        self.say(f"Issue #{issue.number} handed to {self.backend} (status: {status}).")
        self._record_sent(issue, ledger)
        return 0

    def _mark_sent(self, ledger: Ledger) -> int:
        """`--mark-sent`: the draft the coach sent by hand is recorded, once the
        provider says it went out."""
        backend = API_BACKENDS[self.backend](self.settings)
        issue = ledger.unfinished_issue()
        try:
            status = check_mark_sent(backend, issue)
        except ApiError as error:
            self.say(f"{error}. Nothing is recorded as sent; run the command again.")
            return 1
        except ProviderStateError as error:
            self.say(str(error))
            return 1
        self.say(f'Issue #{issue.number}: {backend.title} says "{status}".')
        self._record_sent(issue, ledger)
        return 0
