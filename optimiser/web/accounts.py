"""The `--auth` file of `optimiser serve`: users with scrypt-hashed passwords, and API tokens.

One file holds both, so an administrator has one secret to protect:

    # comments and blank lines are skipped
    amina:scrypt$16384$8$1$<salt, base64>$<hash, base64>
    9f3c...   (any other line: a bearer token for the JSON API, as before users existed)

A user line keeps its scrypt parameters, so they can be raised later without breaking the
lines already written. Passwords are compared in constant time, and a wrong user name costs
the same scrypt as a wrong password, so timing says nothing about which names exist. The file
is rewritten atomically (temporary file, then `os.replace`) with mode 0600: a half-written or
readable-by-all secrets file is never left behind.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

SCHEME = "scrypt"
N, R, P = 2**14, 8, 1
"""scrypt cost: 16 MiB of memory and ~50 ms per check (OWASP's minimum for scrypt)."""
SALT_BYTES, KEY_BYTES = 16, 32
MAX_MEMORY = 1 << 30
"""Refuse parameters needing more than 1 GiB (a corrupt or hostile line must not exhaust RAM)."""
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
USER_LINE = re.compile(rf"({NAME.pattern}):({SCHEME}\$\S*)")
RESERVED = frozenset({"token"})
"""Not a user name: runs submitted with a bearer token are recorded under `token`."""
MIN_PASSWORD = 8


class AuthFileError(ValueError):
    """The auth file cannot be used (said in one line, with the file's name)."""


def hash_password(password: str, n: int = N, r: int = R, p: int = P) -> str:
    """`scrypt$n$r$p$salt$key`: a fresh random salt, the parameters kept beside the hash."""
    salt = secrets.token_bytes(SALT_BYTES)
    key = _scrypt(password, salt, n, r, p)
    return "$".join((SCHEME, str(n), str(r), str(p), _b64(salt), _b64(key)))


def verify_password(password: str, stored: str) -> bool:
    """Does the password match the stored hash? False (never an error) for a malformed hash."""
    try:
        scheme, n, r, p, salt, key = stored.split("$")
        if scheme != SCHEME:
            return False
        expected = base64.b64decode(key, validate=True)
        given = _scrypt(password, base64.b64decode(salt, validate=True), int(n), int(r), int(p),
                        len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(given, expected)


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int,
            length: int = KEY_BYTES) -> bytes:
    memory = 128 * r * n
    if n < 2 or n & (n - 1) or r < 1 or p < 1 or memory > MAX_MEMORY or not 16 <= length <= 64:
        raise ValueError("unusable scrypt parameters")
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p,
                          maxmem=memory + (1 << 20), dklen=length)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


_DUMMY_HASH = hash_password(secrets.token_urlsafe(16))
"""Checked against when the user name is unknown, so both failures take the same time."""


@dataclass(frozen=True)
class Accounts:
    """Who may use the service: user names with their hashes, and API bearer tokens."""

    users: dict[str, str] = field(default_factory=dict)
    tokens: tuple[str, ...] = ()

    @property
    def enabled(self) -> bool:
        """Is login required (any user or token)? Without, only a local address is allowed."""
        return bool(self.users or self.tokens)

    def check_password(self, name: str, password: str) -> bool:
        """Is this the user's password? Unknown names cost the same time as wrong passwords."""
        stored = self.users.get(name)
        matched = verify_password(password, stored or _DUMMY_HASH)
        return stored is not None and matched

    def check_token(self, given: str | None) -> bool:
        """Is `given` one of the tokens? Every token is compared, in constant time."""
        if not given:
            return False
        found = False
        for token in self.tokens:
            found |= hmac.compare_digest(given.encode(), token.encode())
        return found


def parse_accounts(text: str, source: str = "auth file") -> Accounts:
    """Users and tokens of an auth file's text (AuthFileError for a malformed user line)."""
    users: dict[str, str] = {}
    tokens: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        user = USER_LINE.fullmatch(line)
        if user is None:
            if f":{SCHEME}$" in line:  # meant as a user, but the name or the hash is wrong
                raise AuthFileError(f"{source}, line {number}: not a valid user line "
                                    "(NAME:scrypt$...); make it with `optimiser serve-user`")
            tokens.append(line)
            continue
        name, stored = user.groups()
        if stored.count("$") != 5 or name in users:
            reason = "user named twice" if name in users else "malformed password hash"
            raise AuthFileError(f"{source}, line {number}: {reason} ({name})")
        users[name] = stored
    return Accounts(users, tuple(tokens))


def read_accounts(path: Path) -> Accounts:
    """The accounts of `--auth FILE`; AuthFileError if missing, open to all, or empty."""
    try:
        info = path.stat()
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise AuthFileError(f"auth file {path} does not exist; create it with "
                            f"`optimiser serve-user {path} NAME`") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise AuthFileError(f"auth file {path} cannot be read: {exc}") from None
    if os.name == "posix" and info.st_mode & (stat.S_IROTH | stat.S_IWOTH):
        raise AuthFileError(f"auth file {path} can be read or written by every user of this "
                            f"machine; restrict it first: chmod 600 {path}")
    accounts = parse_accounts(text, str(path))
    if not accounts.enabled:
        raise AuthFileError(f"auth file {path} holds no user and no token: add a user with "
                            f"`optimiser serve-user {path} NAME`, or put one token per line")
    return accounts


def check_name(name: str) -> None:
    """A user name: letters, digits, `._@-`, at most 64 characters, not a reserved word."""
    if not NAME.fullmatch(name) or name in RESERVED:
        raise AuthFileError(f"user name {name!r} refused: use letters, digits and . _ @ - "
                            f"(at most 64, not {', '.join(sorted(RESERVED))})")


def check_password_strength(password: str) -> None:
    """At least MIN_PASSWORD characters, no line breaks (they cannot be typed in the form)."""
    if len(password) < MIN_PASSWORD or "\n" in password or "\r" in password:
        raise AuthFileError(f"password refused: at least {MIN_PASSWORD} characters, on one "
                            "line")


def set_user(path: Path, name: str, password: str) -> bool:
    """Add or replace the user's line, keeping every other line; True if it replaced one."""
    check_name(name)
    check_password_strength(password)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        lines = []
    line = f"{name}:{hash_password(password)}"
    replaced = False
    kept: list[str] = []
    for old in lines:
        match = USER_LINE.fullmatch(old.strip())
        if match is not None and match.group(1) == name:
            if not replaced:
                kept.append(line)
            replaced = True
        else:
            kept.append(old)
    if not replaced:
        kept.append(line)
    write_private(path, "\n".join(kept) + "\n")
    return replaced


def write_private(path: Path, text: str) -> None:
    """Write `text` to `path` atomically, readable and writable by its owner only (0600)."""
    folder = path.parent if str(path.parent) else Path(".")
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
    try:
        os.chmod(temporary, 0o600)
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
