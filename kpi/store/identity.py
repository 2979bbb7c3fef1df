"""Who is signed in, and whether they may write: named analysts (st.login e-mail or a hashed account), never a role.

Pages only ask this module: ``analyst_gate()`` (sign-in form or the signed-in line), ``is_analyst()`` (checked on
the server before every write) and ``person()`` (the name recorded on every revision, profile and targets save).
"""

from __future__ import annotations

import getpass
import hashlib
import hmac
import json
import logging
import os
import secrets as _secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from kpi.store import storage

LOG = logging.getLogger("kpi.identity")

# hashlib.scrypt (standard library): memory-hard, no extra dependency. Cost fixed in the stored hash.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
FREE_ATTEMPTS = 5  # failed sign-ins before any wait
FIRST_WAIT_S = 2.0  # then 2 s, 4 s, 8 s … per further failure
MAX_WAIT_S = 15 * 60.0


# --- passwords -------------------------------------------------------------------------------------------------

def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """``scrypt$N$r$p$salt$hash`` (hex): what goes into secrets; the password itself is never stored."""
    salt = salt or _secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


# A fixed hash checked for unknown names, so a wrong name costs the same time as a wrong password.
_DUMMY_HASH = hash_password("unused", salt=b"kpi-dashboard-dummy-salt")


def verify_password(password: str, stored: str | None) -> bool:
    """Constant-time check of ``password`` against a stored scrypt hash; False for any malformed hash."""
    try:
        scheme, n, r, p, salt, expected = (stored or _DUMMY_HASH).split("$")
        if scheme != "scrypt":
            raise ValueError(scheme)
        digest = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p),
                                dklen=len(bytes.fromhex(expected)), maxmem=2**27)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(digest, bytes.fromhex(expected)) and stored is not None


def accounts(secrets=None) -> dict[str, str]:
    """Analyst accounts (name -> scrypt hash) from Streamlit secrets ``[analysts]``, KPI_ANALYSTS and the database
    (accounts created from the first-run setup link).

    KPI_ANALYSTS is ``name=hash,name=hash`` or a JSON object; names are compared case-insensitively.
    """
    found: dict[str, str] = {}
    if secrets is not None:
        try:
            found.update({str(k): str(v) for k, v in dict(secrets.get("analysts", {}) or {}).items()})
        except Exception:  # no secrets file: the environment alone
            pass
    raw = os.environ.get("KPI_ANALYSTS", "").strip()
    if raw.startswith("{"):
        found.update({str(k): str(v) for k, v in json.loads(raw).items()})
    elif raw:
        for pair in raw.split(","):
            if "=" in pair:
                name, hashed = pair.split("=", 1)
                found[name.strip()] = hashed.strip()
    try:  # accounts made in the browser from the one-time setup link
        from kpi.store import storage

        found.update(storage.stored_accounts())
    except Exception:  # no database reachable yet: the configured accounts alone
        pass
    return {name.strip().casefold(): hashed for name, hashed in found.items() if name.strip() and hashed}


def check_account(name: str, password: str, table: dict[str, str]) -> bool:
    """True when ``name`` is an analyst account and ``password`` its password; same cost either way."""
    return verify_password(password, table.get(name.strip().casefold()))


# --- throttle --------------------------------------------------------------------------------------------------

@dataclass
class Throttle:
    """After FREE_ATTEMPTS failures under a key (a browser session, a client address), a doubling wait.

    Every attempt counts, including one made while a wait runs (it is refused unchecked and makes the wait longer):
    30 guesses in a minute wait the longest wait, not 3 s. With ``engine`` (or ``shared=True``: the app's database)
    the counts live in the database (kpi.store.storage.signin_attempts): every replica sees the same wait and a
    restart forgets nothing. Without, they live in this object (tests). ``clock`` is injected so tests move time
    instead of sleeping; shared counts need the wall clock, the same on every replica.
    """

    clock: Callable[[], float] = time.time
    free: int = FREE_ATTEMPTS
    engine: object = None
    shared: bool = False
    _failures: dict[str, tuple[int, float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _state(self, keys: list[str]) -> dict[str, tuple[int, float]]:
        if self._stored():
            try:
                return storage.throttle_state(keys, engine=self.engine)
            except Exception:  # noqa: BLE001 - an unreachable or read-only database: this process counts alone
                LOG.warning("sign-in throttle: the database cannot be read; counting in this process")
        with self._lock:
            return {k: self._failures[k] for k in keys if k in self._failures}

    def _stored(self) -> bool:
        return self.engine is not None or self.shared

    def wait(self, keys: Iterable[str]) -> float:
        """Seconds before the next attempt is even checked (0 when allowed)."""
        now = self.clock()
        waits = [self._wait_for(count, last, now) for count, last in self._state(list(keys)).values()]
        return max(waits, default=0.0)

    def _wait_for(self, count: int, last: float, now: float) -> float:
        if count < self.free:
            return 0.0
        return max(0.0, min(FIRST_WAIT_S * 2 ** min(count - self.free, 30), MAX_WAIT_S) - (now - last))

    def failed(self, keys: Iterable[str]) -> None:
        now, keys = self.clock(), list(keys)
        if self._stored():
            try:
                storage.throttle_failed(keys, now, engine=self.engine)
                return
            except Exception:  # noqa: BLE001 - see _state
                LOG.warning("sign-in throttle: the database cannot be written; counting in this process")
        with self._lock:
            for key in keys:
                count, _ = self._failures.get(key, (0, now))
                self._failures[key] = (count + 1, now)

    def succeeded(self, keys: Iterable[str]) -> None:
        keys = list(keys)
        if self._stored():
            try:
                storage.throttle_clear(keys, engine=self.engine)
            except Exception:  # noqa: BLE001 - see _state
                LOG.warning("sign-in throttle: the database cannot be written")
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)


THROTTLE = Throttle(shared=True)  # in the app's database: shared by every session, replica and restart


# --- people ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Person:
    """A signed-in analyst: ``name`` is what the audit records (the e-mail with st.login, else the account)."""

    name: str
    via: str  # "oidc" or "password"


def cli_user(explicit: str | None = None) -> str:
    """The CLI's person: ``--user`` when given, else the operating-system login."""
    if explicit and explicit.strip():
        return explicit.strip()
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return os.environ.get("USER") or "unknown"


def sign_in(name: str, password: str, *, keys: list[str], table: dict[str, str],
            throttle: Throttle = THROTTLE) -> tuple[bool, float]:
    """One sign-in attempt: (signed in, seconds to wait). While a wait runs the password is not even checked, and
    the attempt still counts."""
    if throttle.wait(keys) > 0:
        throttle.failed(keys)  # an attempt during a wait counts too, and makes the wait longer
        return False, throttle.wait(keys)
    if check_account(name, password, table):
        throttle.succeeded(keys)
        return True, 0.0
    throttle.failed(keys)
    return False, throttle.wait(keys)


def encode_for_env(pairs: dict[str, str]) -> str:
    """KPI_ANALYSTS value for several accounts (name -> hash)."""
    return ",".join(f"{name}={hashed}" for name, hashed in pairs.items())


# --- first run: a one-time setup link --------------------------------------------------------------------------

SETUP_PASSWORD_MIN = 12


def token_hash(token: str) -> str:
    return hashlib.sha256(str(token).encode()).hexdigest()


def setup_link_enabled() -> bool:
    """KPI_SETUP_LINK=0 (or false/no/off) turns the first-run link off."""
    return os.environ.get("KPI_SETUP_LINK", "1").strip().lower() not in ("0", "false", "no", "off")


def new_setup_link(*, base_url: str, engine=None) -> str:
    """A fresh one-time link (only its token's hash is stored): the first analyst creates their account with it."""
    from kpi.store import storage

    token = _secrets.token_urlsafe(32)
    storage.add_setup_token(token_hash(token), engine=engine)
    return f"{base_url.rstrip('/')}/setup?token={token}"


def create_first_account(token: str, name: str, password: str, repeat: str, *, engine=None) -> str | None:
    """The account from the setup link, or the catalogue key of why not (nothing stored then)."""
    from kpi.store import storage

    name = name.strip()
    if storage.setup_token_state(token_hash(token), engine=engine) != "valid":
        return "setup.link_used"
    if not name or len(name) > 128 or any(c.isspace() or c in "=,$" for c in name):
        return "setup.bad_name"
    if len(password) < SETUP_PASSWORD_MIN:
        return "setup.short_password"
    if password != repeat:
        return "setup.mismatch"
    if not storage.claim_setup_token(token_hash(token), name.casefold(), hash_password(password), engine=engine):
        return "setup.link_used"
    return None


__all__ = ["Person", "Throttle", "THROTTLE", "accounts", "check_account", "cli_user",
           "encode_for_env", "hash_password", "sign_in", "verify_password"]
