"""The user's NCBI API key and email: from the environment, else their own config file.

Never from review.toml (teams share it) and never written anywhere by metasift. The config file
is ~/.config/metasift/config.toml (or $XDG_CONFIG_HOME/metasift/config.toml):

    [ncbi]
    api_key = "0123456789abcdef0123456789abcdef0123"
    email = "you@example.org"
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, quote_plus

from db.errors import MetasiftError


@dataclass(frozen=True)
class Credentials:
    api_key: str | None = None
    email: str | None = None

    def __repr__(self) -> str:
        # never print the key, even in a traceback's locals or a debugger
        key = "set" if self.api_key else "None"
        return f"Credentials(api_key={key}, email={self.email!r})"


def redact(text: str, key: str | None) -> str:
    """text with the API key hidden, as written and as a URL would carry it."""
    if not key:
        return text
    for form in {key, quote(key, safe=""), quote_plus(key)}:
        text = text.replace(form, "***")
    return text


def config_path(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    base = env.get("XDG_CONFIG_HOME") or str(Path(env.get("HOME") or Path.home()) / ".config")
    return Path(base) / "metasift" / "config.toml"


def load_credentials(env: Mapping[str, str] | None = None) -> Credentials:
    """NCBI_API_KEY / NCBI_EMAIL win over the config file's [ncbi] api_key / email."""
    env = os.environ if env is None else env
    section = _config_section(config_path(env))
    api_key = (env.get("NCBI_API_KEY") or section.get("api_key") or "").strip() or None
    email = (env.get("NCBI_EMAIL") or section.get("email") or "").strip() or None
    return Credentials(api_key, email)


def _config_section(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise MetasiftError(f"{path}: cannot read this config file ({e})") from None
    section = data.get("ncbi", {})
    if not isinstance(section, dict):
        raise MetasiftError(f"{path}: [ncbi] must be a table with api_key and email")
    return {k: str(v) for k, v in section.items() if k in ("api_key", "email")}
