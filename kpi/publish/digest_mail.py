"""The digest by e-mail: one message per recipient list, in that list's language, text and HTML with the KPI
report (PDF) attached, sent through the SMTP server named in .streamlit/secrets.toml or the environment.

secrets.toml::

    [smtp]
    host = "smtp.example.ac.jp"
    port = 587
    security = "starttls"   # none | starttls | ssl
    user = "kpi-digest"      # optional
    password = "…"           # optional
    sender = "kpi@example.ac.jp"

    [[digest.lists]]
    name = "leadership"
    lang = "ja"
    to = ["a@example.ac.jp", "b@example.ac.jp"]

The environment overrides it: KPI_SMTP_HOST, KPI_SMTP_PORT, KPI_SMTP_SECURITY, KPI_SMTP_USER, KPI_SMTP_PASSWORD,
KPI_MAIL_FROM and KPI_DIGEST_LISTS (the lists as JSON: [{"name": …, "lang": "ja", "to": […]}]).
"""

from __future__ import annotations

import json
import os
import smtplib
import ssl
import tomllib
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from kpi.text.worded import Worded
from kpi.views import digest_text

SECRETS_FILE = Path(__file__).resolve().parents[2] / ".streamlit" / "secrets.toml"


class MailConfigError(Worded, ValueError):
    """The SMTP server or the recipient lists are not configured (catalogue key): nothing was sent."""


@dataclass
class RecipientList:
    name: str
    lang: str
    to: list[str]


@dataclass
class MailConfig:
    host: str
    port: int
    sender: str
    security: str = "none"
    user: str = ""
    password: str = field(default="", repr=False)
    lists: list[RecipientList] = field(default_factory=list)


def _secrets(path: Path | None) -> dict:
    path = path or Path(os.environ.get("KPI_SECRETS_FILE") or SECRETS_FILE)
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise MailConfigError("mail.bad_secrets", path=str(path), error=str(exc)) from None


def _lists(raw) -> list[RecipientList]:
    out = []
    for number, item in enumerate(raw or [], start=1):
        to = item.get("to") if isinstance(item, dict) else None
        to = [to] if isinstance(to, str) else to
        lang = str(item.get("lang", "ja")) if isinstance(item, dict) else ""
        if not to or not all(isinstance(a, str) and "@" in a for a in to) or lang not in ("ja", "en"):
            raise MailConfigError("mail.bad_list", number=number)
        out.append(RecipientList(str(item.get("name") or number), lang, list(to)))
    return out


def load_config(*, secrets_path: Path | None = None) -> MailConfig:
    """The SMTP server, sender and recipient lists; the environment wins over secrets.toml."""
    secrets = _secrets(secrets_path)
    smtp = secrets.get("smtp", {}) or {}
    env = os.environ.get
    host = env("KPI_SMTP_HOST") or smtp.get("host")
    sender = env("KPI_MAIL_FROM") or smtp.get("sender")
    if not host or not sender:
        raise MailConfigError("mail.not_configured")
    try:
        lists = _lists(json.loads(env("KPI_DIGEST_LISTS")) if env("KPI_DIGEST_LISTS")
                       else (secrets.get("digest", {}) or {}).get("lists"))
        port = int(env("KPI_SMTP_PORT") or smtp.get("port") or 25)
    except (ValueError, TypeError, AttributeError) as exc:
        if isinstance(exc, MailConfigError):
            raise
        raise MailConfigError("mail.bad_list", number="?") from None
    if not lists:
        raise MailConfigError("mail.no_lists")
    security = (env("KPI_SMTP_SECURITY") or smtp.get("security") or "none").lower()
    return MailConfig(host=host, port=port, sender=sender, security=security,
                      user=env("KPI_SMTP_USER") or smtp.get("user", ""),
                      password=env("KPI_SMTP_PASSWORD") or smtp.get("password", ""), lists=lists)


def message(digest, *, lang: str, sender: str, to: list[str], pdf: bytes | None = None,
            pdf_name: str = "kpi-report.pdf") -> EmailMessage:
    """One e-mail: the digest as text and HTML (UTF-8), the PDF report attached when given."""
    mail = EmailMessage()
    mail["Subject"] = digest_text.subject(digest, lang)
    mail["From"] = sender
    mail["To"] = ", ".join(to)
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1] or None)
    mail.set_content(digest_text.as_text(digest, lang), charset="utf-8")
    mail.add_alternative(digest_text.as_html(digest, lang), subtype="html", charset="utf-8")
    if pdf is not None:
        mail.add_attachment(pdf, maintype="application", subtype="pdf", filename=pdf_name)
    mail["Content-Language"] = lang  # last: set_content and add_alternative move Content-* headers into the parts
    return mail


def _connect(config: MailConfig, timeout: float) -> smtplib.SMTP:
    if config.security == "ssl":
        return smtplib.SMTP_SSL(config.host, config.port, timeout=timeout, context=ssl.create_default_context())
    server = smtplib.SMTP(config.host, config.port, timeout=timeout)
    if config.security == "starttls":
        server.starttls(context=ssl.create_default_context())
    return server


def send(messages: list[EmailMessage], config: MailConfig, *, timeout: float = 60.0) -> int:
    """Send every message over one SMTP session; returns how many were accepted."""
    with _connect(config, timeout) as server:
        if config.user:
            server.login(config.user, config.password)
        for mail in messages:
            server.send_message(mail)
    return len(messages)


def send_digest(digest, config: MailConfig, *, pdf_for=None) -> list[tuple[RecipientList, int]]:
    """One message per list in its language; ``pdf_for(lang)`` gives the report to attach (None: no attachment)."""
    built = []
    for group in config.lists:
        pdf = pdf_for(group.lang) if pdf_for else None
        built.append((group, message(digest, lang=group.lang, sender=config.sender, to=group.to, pdf=pdf)))
    send([mail for _, mail in built], config)
    return [(group, len(group.to)) for group, _ in built]
