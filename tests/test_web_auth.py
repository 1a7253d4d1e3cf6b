"""Login, sessions, bearer tokens, the auth file and security headers of the web service."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from web_support import SCENARIO, upload_example, wait_run

from optimiser.cli import main
from optimiser.web import command
from optimiser.web.accounts import (
    AuthFileError,
    hash_password,
    parse_accounts,
    read_accounts,
    verify_password,
)
from optimiser.web.app import create_app
from optimiser.web.security import PAGE_CSP, REPORT_CSP, safe_next
from optimiser.web.settings import Settings

PASSWORD = "correct horse battery"
TOKEN = "api-token-0123456789"
FAILED_FR = "Identifiant ou mot de passe incorrect."


@pytest.fixture(scope="module")
def auth_text() -> str:
    """An auth file with two users (hashed once: scrypt is slow on purpose) and a token."""
    return (f"# planners\nalice:{hash_password(PASSWORD)}\nbob:{hash_password('bob password')}\n"
            f"\n{TOKEN}\n")


@contextmanager
def auth_client(tmp_path: Path, auth_text: str, base_url: str = "http://testserver",
                ) -> Iterator[TestClient]:
    """A started service with login on, on a private folder and registry."""
    settings = Settings(db_url=f"sqlite:///{tmp_path / 'r.sqlite3'}", root=tmp_path / "srv",
                        workers=1, queue=4)
    app = create_app(settings, parse_accounts(auth_text))
    with TestClient(app, base_url=base_url) as client:
        yield client


def login(client: TestClient, user: str = "alice", password: str = PASSWORD,
          next_url: str = "/", csrf: str | None = None):
    """Post the login form the way a browser does (form first, for the CSRF cookie)."""
    if csrf is None:
        client.get("/login")
        csrf = client.cookies.get("optimiser_csrf")
    return client.post("/login", data={"user": user, "password": password, "next": next_url,
                                       "csrf_token": csrf}, follow_redirects=False)


def test_password_hash_round_trip():
    stored = hash_password("s3cret password")
    scheme, n, r, p, salt, key = stored.split("$")
    assert (scheme, n, r, p) == ("scrypt", "16384", "8", "1")
    assert verify_password("s3cret password", stored)
    assert not verify_password("s3cret passwore", stored)
    assert not verify_password("", stored)
    assert hash_password("s3cret password") != stored  # a fresh salt every time
    cheaper = hash_password("other", n=2**10, r=4)  # the parameters travel with the hash
    assert cheaper.startswith("scrypt$1024$4$1$") and verify_password("other", cheaper)
    assert not verify_password("s3cret password", stored.replace("$16384$", "$8192$"))
    for broken in ("", "scrypt$x", "md5$1$1$1$AA==$AA==", stored.replace("$", "$$", 1),
                   "scrypt$16385$8$1$AAAA$AAAA", "scrypt$1073741824$8$1$AAAA$AAAA"):
        assert not verify_password("s3cret password", broken)


def test_auth_file_users_tokens_and_refusals(tmp_path, auth_text):
    accounts = parse_accounts(auth_text)
    assert sorted(accounts.users) == ["alice", "bob"] and accounts.tokens == (TOKEN,)
    assert accounts.check_password("alice", PASSWORD)
    assert not accounts.check_password("alice", "bob password")
    assert not accounts.check_password("carol", PASSWORD)
    assert accounts.check_token(TOKEN) and not accounts.check_token(TOKEN + "x")
    assert parse_accounts("tok-1\n  tok-2  \n# c\n").tokens == ("tok-1", "tok-2")  # old format
    with pytest.raises(AuthFileError, match="line 2"):
        parse_accounts("tok\nbad name:scrypt$1$2\n")
    path = tmp_path / "auth"
    with pytest.raises(AuthFileError, match="does not exist"):
        read_accounts(path)
    path.write_text("# nobody yet\n\n")
    path.chmod(0o600)
    with pytest.raises(AuthFileError, match="no user and no token"):
        read_accounts(path)
    path.write_text(auth_text)
    path.chmod(0o644)
    with pytest.raises(AuthFileError, match="chmod 600"):
        read_accounts(path)
    path.chmod(0o640)
    assert read_accounts(path).tokens == (TOKEN,)


def test_serve_user_writes_0600_and_keeps_other_lines(tmp_path, auth_text):
    path = tmp_path / "auth"
    path.write_text(auth_text)
    path.chmod(0o644)
    bob_line = next(line for line in auth_text.splitlines() if line.startswith("bob:"))
    result = CliRunner().invoke(main, ["serve-user", str(path), "carol"],
                                input="carol's password\n")
    assert result.exit_code == 0, result.output
    assert "carol's password" not in result.output and "scrypt" not in result.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    lines = path.read_text().splitlines()
    assert lines[:5] == auth_text.splitlines() and bob_line in lines
    assert read_accounts(path).check_password("carol", "carol's password")
    result = CliRunner().invoke(main, ["serve-user", str(path), "alice"],
                                input="a new password\n")
    assert result.exit_code == 0 and "password changed" in result.output
    accounts = read_accounts(path)
    assert len(path.read_text().splitlines()) == len(lines)  # replaced, not added
    assert accounts.check_password("alice", "a new password")
    assert not accounts.check_password("alice", PASSWORD)
    assert accounts.tokens == (TOKEN,) and bob_line in path.read_text()
    before = path.read_text()
    for args, typed in ((["carol"], "short\n"), (["no spaces"], "long enough pw\n"),
                        (["token"], "long enough pw\n")):
        refused = CliRunner().invoke(main, ["serve-user", str(path), *args], input=typed)
        assert refused.exit_code == 2 and "error:" in refused.output
    assert path.read_text() == before
    assert not list(tmp_path.glob(".auth.*"))  # no temporary file left behind


def test_serve_user_asks_twice_on_a_terminal(tmp_path, monkeypatch):
    monkeypatch.setattr(command, "_is_terminal", lambda: True)
    path = tmp_path / "new-auth"
    typed = "first password\nsecond password\nthe real password\nthe real password\n"
    result = CliRunner().invoke(main, ["serve-user", str(path), "dora"], input=typed)
    assert result.exit_code == 0, result.output
    assert "do not match" in result.output
    assert read_accounts(path).check_password("dora", "the real password")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_serve_refuses_missing_empty_or_open_auth_files(tmp_path, monkeypatch):
    import uvicorn

    started: list = []
    monkeypatch.setattr(uvicorn, "run", lambda app, host, port: started.append((app, host)))
    path = tmp_path / "auth"
    cases = [("does not exist", None), ("no user and no token", 0o600), ("chmod 600", 0o644)]
    for message, mode in cases:
        if mode is not None:
            path.write_text("# empty\n" if mode == 0o600 else f"{TOKEN}\n")
            path.chmod(mode)
        result = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0", "--auth", str(path)])
        assert result.exit_code == 2 and message in result.output, result.output
        assert "Traceback" not in result.output
    path.write_text(f"alice:{hash_password(PASSWORD)}\n{TOKEN}\n")
    path.chmod(0o600)
    result = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0", "--auth", str(path)])
    assert result.exit_code == 0, result.output
    app, host = started[-1]
    assert host == "0.0.0.0" and app.state.accounts.tokens == (TOKEN,)
    assert app.state.accounts.check_password("alice", PASSWORD)


def test_login_flow_and_logout(tmp_path, auth_text):
    with auth_client(tmp_path, auth_text) as client:
        sent = client.get("/runs/new?lang=en", follow_redirects=False)
        assert sent.status_code == 303
        assert sent.headers["location"] == "/login?next=%2Fruns%2Fnew%3Flang%3Den&lang=en"
        form = client.get(sent.headers["location"])
        assert form.status_code == 200 and 'name="password"' in form.text
        assert 'value="/runs/new?lang=en"' in form.text
        csrf = client.cookies.get("optimiser_csrf")
        assert login(client, csrf="forged").status_code == 403
        for user, password in (("alice", "bob password"), ("carol", PASSWORD)):
            failed = login(client, user, password, csrf=csrf)
            assert failed.status_code == 401 and FAILED_FR in failed.text
            assert "optimiser_session" not in client.cookies
        entered = login(client, next_url="/runs/new?lang=en", csrf=csrf)
        assert entered.status_code == 303 and entered.headers["location"] == "/runs/new?lang=en"
        cookie = entered.headers["set-cookie"]
        assert "optimiser_session=" in cookie and "HttpOnly" in cookie
        assert "samesite=strict" in cookie.lower() and "secure" not in cookie.lower()
        session = client.cookies.get("optimiser_session")
        page = client.get("/runs/new?lang=en")
        assert page.status_code == 200 and "alice" in page.text and 'action="/logout"' in page.text
        new_csrf = client.cookies.get("optimiser_csrf")
        assert new_csrf != csrf  # renewed at login
        out = client.post("/logout", data={"csrf_token": new_csrf}, follow_redirects=False)
        assert out.status_code == 303 and out.headers["location"].startswith("/login")
        assert client.get("/runs/new", follow_redirects=False).status_code == 303
        client.cookies.set("optimiser_session", session)  # the old cookie, replayed
        assert client.get("/runs/new", follow_redirects=False).status_code == 303
        assert client.get("/api/runs").status_code == 401


def test_session_cookie_is_secure_over_https(tmp_path, auth_text):
    with auth_client(tmp_path, auth_text, base_url="https://testserver") as client:
        entered = login(client)
        assert entered.status_code == 303
        assert "secure" in entered.headers["set-cookie"].lower()


def test_login_never_redirects_to_another_site(tmp_path, auth_text):
    for target in ("//evil.example/x", "http://evil.example/", "https:evil.example",
                   "/\\evil.example", "\\\\evil.example", "evil.example", "/%0d%0a", "/\x00x",
                   "javascript:alert(1)", ""):
        expected = "/%0d%0a" if target == "/%0d%0a" else "/"
        assert safe_next(target) == expected, target
    assert safe_next("/runs/new?lang=ar") == "/runs/new?lang=ar"
    with auth_client(tmp_path, auth_text) as client:
        assert login(client, next_url="//evil.example/x").headers["location"] == "/"
        assert login(client, next_url="http://evil.example/").headers["location"] == "/"
        already = client.get("/login?next=//evil.example", follow_redirects=False)
        assert already.status_code == 303 and already.headers["location"] == "/"


def test_lockout_after_repeated_failures(tmp_path, auth_text):
    with auth_client(tmp_path, auth_text) as client:
        now = [1000.0]
        for throttle in (client.app.state.guard.users, client.app.state.guard.addresses):
            throttle.clock = lambda: now[0]
        client.get("/login")
        csrf = client.cookies.get("optimiser_csrf")
        for _ in range(5):
            assert login(client, password="guess", csrf=csrf).status_code == 401
        locked = login(client, csrf=csrf)  # the right password, but too late
        assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 60
        assert "optimiser_session" not in client.cookies
        assert "Trop d" in locked.text
        assert login(client, "bob", "bob password", csrf=csrf).status_code == 303  # other name
        now[0] += 301
        assert login(client).status_code == 303  # (bob's login renewed the CSRF cookie)


def test_api_with_token_session_or_nothing(tmp_path, auth_text):
    with auth_client(tmp_path, auth_text) as client:
        assert client.get("/api/health").status_code == 200
        refused = client.get("/api/runs")
        assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer"
        assert client.get("/openapi.json").status_code == 401
        bearer = {"Authorization": f"Bearer {TOKEN}"}
        assert client.get("/api/runs", headers=bearer).status_code == 200
        wrong = {"Authorization": "Bearer nope"}
        assert client.get("/api/runs", headers=wrong).status_code == 401
        assert client.get("/", headers=wrong, follow_redirects=False).status_code == 401
        assert login(client).status_code == 303
        assert client.get("/api/runs").json() == []


def test_runs_and_adoptions_recorded_under_the_user(tmp_path, auth_text):
    with auth_client(tmp_path, auth_text) as client:
        assert login(client).status_code == 303
        dataset = upload_example(client)
        client.get("/runs/new")
        sent = client.post("/runs/new", data={"dataset": dataset, "scenario_yaml": SCENARIO,
                                              "csrf_token": client.cookies.get("optimiser_csrf")},
                           follow_redirects=False)
        assert sent.status_code == 303
        run_id = sent.headers["location"].split("/")[2].split("?")[0]
        assert wait_run(client, run_id)["status"] == "optimal"
        csrf = client.cookies.get("optimiser_csrf")
        adopted = client.post(f"/runs/{run_id}/adopt", data={"note": "ok", "csrf_token": csrf},
                              follow_redirects=False)
        assert adopted.status_code == 303
        registry = client.app.state.service.registry
        row = registry.get(run_id)
        assert (row.created_by, row.decision, row.decided_by) == ("alice", "adopted", "alice")
        assert client.get(f"/api/runs/{run_id}").json()["user"] == "alice"

        client.cookies.clear()
        bearer = {"Authorization": f"Bearer {TOKEN}"}
        queued = client.post("/api/runs", json={"dataset": dataset, "scenario_yaml": SCENARIO},
                             headers=bearer)
        assert queued.status_code == 202
        other = queued.json()["id"]
        assert wait_run_with(client, other, bearer)["status"] == "optimal"
        assert client.post(f"/api/runs/{other}/adopt", json={"note": "api"},
                           headers=bearer).status_code == 200
        row = registry.get(other)
        assert (row.created_by, row.decided_by) == ("token", "token")


def wait_run_with(client: TestClient, run_id: str, headers: dict) -> dict:
    """wait_run, sending the bearer token."""
    client.headers.update(headers)
    try:
        return wait_run(client, run_id)
    finally:
        del client.headers["Authorization"]


def test_security_headers_on_pages_not_blocking_reports(tmp_path, auth_text):
    with auth_client(tmp_path, auth_text) as client:
        for answer in (client.get("/login"), client.get("/", follow_redirects=False),
                       client.get("/api/runs"), client.get("/static/style.css")):
            assert answer.headers["content-security-policy"] == PAGE_CSP
            assert answer.headers["x-content-type-options"] == "nosniff"
            assert answer.headers["referrer-policy"] == "same-origin"
        assert login(client).status_code == 303
        assert client.get("/").headers["content-security-policy"] == PAGE_CSP
        dataset = upload_example(client)
        run_id = client.post("/api/runs", json={"dataset": dataset,
                                                "scenario_yaml": SCENARIO}).json()["id"]
        assert wait_run(client, run_id)["status"] == "optimal"
        report = client.get(f"/runs/{run_id}/report.html")
        assert report.status_code == 200
        assert 'http-equiv="Content-Security-Policy"' in report.text  # its own, with the hash
        header = report.headers["content-security-policy"]
        assert header == REPORT_CSP and "script-src" not in header and "default" not in header
        assert report.headers["x-content-type-options"] == "nosniff"
