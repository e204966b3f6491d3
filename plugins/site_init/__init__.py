"""`invoke init`: the first command of a new site (not a build plugin).

It asks each question of questions.py in turn, the current value of site.toml
as its default, checks every answer, and only then writes: the changed values
into site.toml, and what the coach chose for the sample articles (samples.py).
Answers may also come as options (scripts, tests); with standard input not a
terminal, an unanswered question reads a line from it, and at its end takes
the current value, so a second run with the same answers changes nothing."""

from __future__ import annotations

import inspect
import sys
import tomllib
from pathlib import Path

from .questions import QUESTIONS, Question, Refused, is_example_domain
from .samples import apply_sample_choice, renamed, sample_choice
from .site_file import SITE_FILE, read_site_file, with_changes, write_atomically

__all__ = ["QUESTIONS", "is_example_domain", "option_help", "run_init", "with_question_options"]


class InitStopped(SystemExit):
    """init stops: the message says why and what to do; nothing was written."""


KEEP_SAMPLES_HELP = "keep the sample articles (they go in no newsletter issue)"


def with_question_options(body):
    """`body` (the init task) taking one option per question (site_name is
    --site-name, invoke reads the signature) and --keep-samples."""
    keyword = inspect.Parameter.KEYWORD_ONLY
    parameters = [inspect.Parameter("c", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    parameters += [inspect.Parameter(q.name, keyword, default=None) for q in QUESTIONS]
    parameters.append(inspect.Parameter("keep_samples", keyword, default=False))
    body.__signature__ = inspect.Signature(parameters)
    return body


def option_help() -> dict[str, str]:
    return {q.name: q.prompt for q in QUESTIONS} | {"keep_samples": KEEP_SAMPLES_HELP}


class Asker:
    """Reads answers from the terminal, or line by line from a pipe."""

    def __init__(self, stdin, out) -> None:
        self.stdin, self.out = stdin, out
        self.terminal = stdin.isatty()

    def line(self, prompt: str) -> str | None:
        """One answer, stripped; None at the end of the input."""
        self.out.write(prompt)
        self.out.flush()
        try:
            line = self.stdin.readline()
        except KeyboardInterrupt:
            line = ""
        if not line and self.terminal:  # Ctrl-D or Ctrl-C
            raise InitStopped("\nStopped: nothing was written.")
        if not self.terminal:
            self.out.write("\n")
        return line.strip() if line else None


def answer(question: Question, given: str | None, current: str, answers: dict, asker: Asker):
    """The checked answer: the option's, else asked (the current value as its
    default when it passes the check) until one passes."""
    option = "--" + question.name.replace("_", "-")
    if given is not None:
        try:
            return question.check(given, answers)
        except Refused as refused:
            raise InitStopped(f"{option}: {refused}. Nothing was written.") from None
    try:
        default = question.check(current, answers) if current else ""
    except Refused:
        default = ""  # a placeholder is no default
    hint = f"[{default}]" if default else f"(like {question.example.format(**answers)})"
    while True:
        typed = asker.line(f"{question.prompt} {hint}: ")
        try:
            return question.check(typed or default, answers)
        except Refused as refused:
            if typed is None:  # the input ended without a usable answer
                raise InitStopped(
                    f"{question.prompt}: {refused}. Give it with {option}. Nothing was written."
                ) from None
            asker.out.write(f"  {refused}.\n")


def run_init(root: Path, settings: dict, options: dict, stdin=None, out=None) -> None:
    stdin, out = stdin or sys.stdin, out or sys.stdout
    path = root / SITE_FILE
    site = read_site_file(path)
    asker = Asker(stdin, out)
    answers: dict[str, str] = {}
    every_one_given = True
    for question in QUESTIONS:
        if question.asked(answers):
            current = question.current(site)
            given = options.get(question.name)
            every_one_given &= given is not None
            answers[question.name] = answer(question, given, current, answers, asker)
    # With every answer an option (a script), the samples' default is taken unasked.
    samples = sample_choice(
        settings, options.get("keep_samples"), None if every_one_given else asker
    )

    # Every answer is checked: now write, site.toml first.
    changes = site_changes(site, answers)
    text = path.read_text(encoding="utf-8")
    new_text = with_changes(text, changes)
    if new_text != text:
        written = tomllib.loads(new_text)
        if any(lookup(written, key) != value for key, value in changes.items()):
            raise InitStopped(
                f"{SITE_FILE} is laid out in a way init cannot change safely (a value over "
                f"several lines?). Fix: write each value on one line, then run `invoke init` "
                "again. Nothing was written."
            )
        write_atomically(path, new_text)
    done = apply_sample_choice(settings, samples, site["author"], answers["author"])
    report(out, changes, done)


# The texts about the coach in site.toml: a new name replaces the old one in them.
TEXTS = ("tagline", "description", "intro", "bio")


def site_changes(site: dict, answers: dict) -> dict:
    """What to write in site.toml: each answer that differs from its value, the
    texts about the coach under the new name, and the ids of a form's former
    provider taken out (they would be left over)."""
    changes = {}
    for question in QUESTIONS:
        if question.name in answers and lookup(site, question.key) != answers[question.name]:
            changes[question.key] = answers[question.name]
    for key in TEXTS:
        text = site.get(key)
        if isinstance(text, str) and renamed(text, site["author"], answers["author"]) != text:
            changes[(key,)] = renamed(text, site["author"], answers["author"])
    for question in QUESTIONS:
        table = question.only_for and question.only_for[0]
        if table and not question.asked(answers) and question.key in key_paths(site, table):
            if not any(q.key == question.key and q.asked(answers) for q in QUESTIONS):
                changes[question.key] = None
    return changes


def key_paths(site: dict, table: str) -> set[tuple[str, str]]:
    values = site.get(table)
    return {(table, key) for key in values} if isinstance(values, dict) else set()


def lookup(data: dict, key: tuple[str, ...]):
    for part in key:
        data = data.get(part) if isinstance(data, dict) else None
    return data


def report(out, changes: dict, done: list[str]) -> None:
    if changes:
        names = ", ".join(".".join(key) for key in changes)
        out.write(f"Written to {SITE_FILE}: {names}.\n")
    for line in done:
        out.write(line + "\n")
    if not changes and not done:
        out.write(f"Nothing changed: {SITE_FILE} already holds these answers.\n")
    else:
        out.write("Next: `invoke serve` shows the site; commit the changes when it looks right.\n")
