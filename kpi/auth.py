"""Roles: viewers read; analysts upload and roll back. The check runs on the server for every analyst action."""

from __future__ import annotations

import hmac
import os


def analyst_password(secrets=None) -> str | None:
    """From Streamlit secrets (``analyst_password``) or the environment (KPI_ANALYST_PASSWORD); never the code."""
    if secrets is not None:
        try:
            value = secrets.get("analyst_password")
            if value:
                return str(value)
        except Exception:  # no secrets file: fall back to the environment
            pass
    return os.environ.get("KPI_ANALYST_PASSWORD") or None


def password_matches(given: str, expected: str | None) -> bool:
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())
