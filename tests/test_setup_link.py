"""First run: `kpi serve` prints a one-time setup link while no analyst exists; the link makes one account, once."""

from __future__ import annotations

import pytest

from kpi import cli
from kpi.store import identity, storage

PASSWORD = "a-long-enough-password"


def _token(link: str) -> str:
    return link.split("token=", 1)[1]


@pytest.fixture
def fresh(engine, monkeypatch, tmp_path):
    """An empty database, no analyst in the environment, no secrets file."""
    monkeypatch.delenv("KPI_ANALYSTS", raising=False)
    monkeypatch.delenv("KPI_SETUP_LINK", raising=False)
    monkeypatch.setattr(storage, "PROJECT_ROOT", tmp_path)  # no .streamlit/secrets.toml there
    return engine


def test_the_link_makes_the_first_account_once(fresh):
    link = identity.new_setup_link(base_url="http://localhost:8501", engine=fresh)
    assert link.startswith("http://localhost:8501/setup?token=")
    assert identity.create_first_account(_token(link), "hanako", PASSWORD, PASSWORD, engine=fresh) is None
    stored = identity.accounts(None)
    assert list(stored) == ["hanako"] and identity.verify_password(PASSWORD, stored["hanako"])
    assert PASSWORD not in str(storage.stored_accounts(engine=fresh))  # a scrypt hash, never the password
    assert identity.create_first_account(_token(link), "taro", PASSWORD, PASSWORD, engine=fresh) == "setup.link_used"
    assert list(identity.accounts(None)) == ["hanako"]


@pytest.mark.parametrize("name, password, repeat, key", [
    pytest.param("", PASSWORD, PASSWORD, "setup.bad_name", id="no-name"),
    pytest.param("ha nako", PASSWORD, PASSWORD, "setup.bad_name", id="space-in-name"),
    pytest.param("hanako", "short", "short", "setup.short_password", id="short-password"),
    pytest.param("hanako", PASSWORD, PASSWORD + "x", "setup.mismatch", id="passwords-differ"),
])
def test_a_refused_form_keeps_the_link_valid(fresh, name, password, repeat, key):
    link = identity.new_setup_link(base_url="http://localhost:8501", engine=fresh)
    assert identity.create_first_account(_token(link), name, password, repeat, engine=fresh) == key
    assert storage.setup_token_state(identity.token_hash(_token(link)), engine=fresh) == "valid"
    assert identity.accounts(None) == {}


def test_a_newer_link_withdraws_the_older(fresh):
    old = identity.new_setup_link(base_url="http://localhost:8501", engine=fresh)
    identity.new_setup_link(base_url="http://localhost:8501", engine=fresh)
    assert identity.create_first_account(_token(old), "hanako", PASSWORD, PASSWORD, engine=fresh) == "setup.link_used"


@pytest.mark.parametrize("env, printed", [
    pytest.param({}, True, id="fresh-install-prints-the-link"),
    pytest.param({"KPI_SETUP_LINK": "0"}, False, id="turned-off"),
    pytest.param({"KPI_ANALYSTS": "taro=" + identity.hash_password("x" * 12)}, False, id="analyst-configured"),
])
def test_serve_prints_the_link_only_on_a_fresh_install(fresh, monkeypatch, capsys, env, printed):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    cli.print_setup_link(["--server.port", "8765"])
    out = capsys.readouterr().out
    assert ("http://localhost:8765/setup?token=" in out) is printed
    if printed:
        assert "初回設定" in out and "First run" in out
