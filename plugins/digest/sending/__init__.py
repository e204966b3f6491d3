"""Sending: what runs when `invoke send-digest` delivers an issue, never during a
build.

- run.py          the sending loop: resume or start an issue, record it as sent
- subscribers.py  the coach's subscriber list (CSV), every field checked first
- ledger.py       who got which issue (SQLite), so a killed run resumes
- letters.py      one subscriber's copy of the issue (SMTP)
- smtp.py         delivery through any SMTP server
- api.py          the providers' HTTP API: retries, backoff, Retry-After
- buttondown.py   delivery through Buttondown's API
- mailchimp.py    delivery through Mailchimp's API

`invoke send-digest` runs `run.Sending`; nothing is imported here, so the composing
side can use addresses.py without loading the sending loop.
"""
