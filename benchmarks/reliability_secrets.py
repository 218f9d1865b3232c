"""Reliability: the NCBI API key is never in a message nor in any file metasift writes.

    python benchmarks/reliability_secrets.py [--quick]

Every harvest error path is taken with NCBI_API_KEY set, each in a fresh home (HOME,
XDG_CONFIG_HOME, XDG_CACHE_HOME and TMPDIR all inside it, the review in it too): each fault
until the retries give up (429 whose body echoes the key as NCBI's does, 500, dropped
connection, truncated body, <ERROR> in a 200), replies that echo the key in a malformed field,
in the query translation and in an efetch body, a closed port, a name that does not resolve
(`.invalid`, refused without a DNS query), a dry run, a harvest killed with SIGKILL and one
stopped with SIGTERM, then resumed; and after a finished harvest every export and listing.

Paths run in this process through the CLI (backoff not slept, so six tries take no time), the
kills in processes of their own. An input is clean when the key (as written, or URL-encoded)
is in no message and no file under the home, and every refusal is one line with exit 1.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from click.testing import CliRunner  # noqa: E402

import reliability_lines as lines  # noqa: E402
from screening.cli import cli  # noqa: E402
from screening.harvest import client as client_module  # noqa: E402
from screening.review import init_review  # noqa: E402
from tests.entrez_corpus import synthetic_corpus  # noqa: E402
from tests.entrez_server import EntrezServer, Hit  # noqa: E402
from tests.offline import NOWHERE, invalid_names_refused  # noqa: E402

KEY = "SECRETKEY-4f1d9a7c2b8e6d0a1c3f5e7b9d2a4c6e8f"
FORMS = {KEY.encode(), quote(KEY, safe="").encode(), quote_plus(KEY).encode()}
EVERY_TRY = 6


@dataclass
class ErrorPath:
    """One error path: faults to inject, the command, and where PubMed is."""

    name: str
    faults: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    args: tuple[str, ...] = ("search", "pubmed", "synthetic")
    url: str | None = None  # None: the local server
    then: tuple[tuple[str, ...], ...] = ()  # commands run after it, on the same review


def _every_try(kind: str, endpoint: str, **options: Any) -> tuple[str, str, dict[str, Any]]:
    return (kind, endpoint, {"times": EVERY_TRY, **options})


def _echo(endpoint: str, old: bytes, new: bytes, times: int = EVERY_TRY) -> Any:
    return ("malformed", endpoint, {"times": times, "replace": (old, new)})


KEYB = KEY.encode()
LISTINGS = (
    ("export", "records", "--format", "csv", "-o", "{home}/out.csv"),
    ("export", "records", "--format", "ris", "-o", "{home}/out.ris"),
    ("export", "records", "--format", "bibtex", "-o", "{home}/out.bib"),
    ("export", "decisions", "--format", "csv", "-o", "{home}/decisions.csv"),
    ("status", "--json"),
    ("records", "--json"),
    ("records",),
)
PATHS = [
    *(ErrorPath(f"esearch {k} every try", [_every_try(k, "esearch")]) for k in ("500", "drop")),
    ErrorPath("esearch 429 echoing the key every try", [_every_try("429", "esearch")]),
    ErrorPath("esearch truncated every try", [_every_try("truncate", "esearch")]),
    ErrorPath("esearch <ERROR> in a 200 every try", [_every_try("error200", "esearch")]),
    ErrorPath("esearch <Count> echoing the key", [_echo("esearch", b"<Count>", b"<Count>" + KEYB)]),
    ErrorPath(
        "translation echoing the key, kept",
        [_echo("esearch", b"<QueryTranslation>", b"<QueryTranslation>" + KEYB, 1)],
        then=LISTINGS,
    ),
    ErrorPath("efetch 500 every try", [_every_try("500", "efetch")]),
    ErrorPath("efetch <ERROR> in a 200 every try", [_every_try("error200", "efetch")]),
    ErrorPath(
        "efetch body carrying the key",
        [_echo("efetch", b"<PubmedArticleSet>", b"<PubmedArticleSet>" + KEYB)],
    ),
    ErrorPath(
        "epost without its QueryKey every try",
        [_echo("epost", b"<QueryKey>", b"<QueryKey>" + KEYB)],
        args=("search", "pubmed", "--pmids", "{home}/pmids.txt"),
    ),
    ErrorPath(
        "dry run, 500 every try",
        [_every_try("500", "esearch")],
        args=("search", "pubmed", "synthetic", "--dry-run"),
    ),
    ErrorPath("closed port", url="http://127.0.0.1:9/entrez/eutils/"),
    ErrorPath(
        "closed port, dry run",
        args=("search", "pubmed", "x", "--dry-run"),
        url="http://127.0.0.1:9/entrez/eutils/",
    ),
    ErrorPath("name that does not resolve", url=NOWHERE),
    ErrorPath("finished harvest, then every export and listing", then=LISTINGS),
]


class NoWait(client_module.RetryPolicy):
    """The product's backoff policy, with the waiting left out (only the time changes)."""

    def __init__(self) -> None:
        super().__init__(sleep=lambda seconds: None)


def leaks(home: Path, messages: str) -> list[str]:
    """Where the key is: in the messages, or in a file under home."""
    found = ["a message"] if any(f.decode() in messages for f in FORMS) else []
    for path in sorted(p for p in home.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if any(form in data for form in FORMS):
            found.append(str(path.relative_to(home)))
    return found


def home_env(home: Path, url: str) -> dict[str, str]:
    env = {"HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config")}
    env.update(XDG_CACHE_HOME=str(home / ".cache"), TMPDIR=str(home / "tmp"))
    env.update(NCBI_API_KEY=KEY, NCBI_EMAIL="bench@example.org", METASIFT_EUTILS_URL=url)
    return env


def new_home(root: Path, name: str) -> Path:
    home = root / name.replace(" ", "-").replace("<", "").replace(">", "").replace(",", "")
    (home / "tmp").mkdir(parents=True)
    init_review(home / "review")
    corpus_ids = sorted(synthetic_corpus(120, small=True, seed=5).records)
    (home / "pmids.txt").write_text("\n".join(corpus_ids) + "\n")
    return home


def take_path(server: EntrezServer, root: Path, path: ErrorPath, tally: lines.Tally) -> None:
    home = new_home(root, path.name)
    env = home_env(home, path.url or server.url)
    for kind, endpoint, options in path.faults:
        server.inject(kind, endpoint=endpoint, **options)
    runner, problems, said = CliRunner(), [], []
    for args in (path.args, *path.then):
        full = [a.format(home=home) for a in args] + ["--review", str(home / "review")]
        server.pass_time()
        result = runner.invoke(cli, full, env=env)
        said.append(result.output + (result.stderr or ""))
        run = subprocess.CompletedProcess(full, result.exit_code, result.stdout, result.stderr)
        if result.exception and not isinstance(result.exception, SystemExit):
            error = result.exception
            problems.append(f"{' '.join(args[:2])}: {type(error).__name__}: {error}")
        problems += [f"{' '.join(args[:2])}: {p}" for p in lines.message_problems(run)]
    server.faults.clear()
    found = leaks(home, "\n".join(said))
    tally.add(
        [f"{path.name}: {p}" for p in problems] + [f"{path.name}: key in {w}" for w in found],
        len(found),
    )


def killed_path(server: EntrezServer, root: Path, how: signal.Signals, tally: lines.Tally) -> None:
    """A harvest stopped at its first efetch by how, then resumed to the end."""
    home = new_home(root, f"stopped by {how.name}")
    env = lines.metasift_env(**home_env(home, server.url))
    args = ["search", "pubmed", "synthetic", "--review", str(home / "review"), "--batch-size", "20"]
    process = subprocess.Popen(
        [*lines.METASIFT, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )

    def stop(hit: Hit) -> bool:
        if hit.endpoint == "efetch" and server.on_request is not None:
            server.on_request = None
            os.kill(process.pid, how)
            return how != signal.SIGKILL
        return True

    server.on_request = stop
    out, err = process.communicate(timeout=120)
    server.on_request = None
    server.pass_time()
    again = lines.run_metasift(args, env=env)
    said = out.decode() + err.decode() + again.stdout + again.stderr
    problems = lines.message_problems(again)
    if "records landed of" not in again.stdout:
        problems.append(f"resumed run did not finish: {again.stderr.strip()[:200]}")
    found = leaks(home, said)
    tally.add(
        [f"{how.name}: {p}" for p in problems] + [f"{how.name}: key in {w}" for w in found],
        len(found),
    )


def main() -> int:
    lines.arguments(__doc__.splitlines()[0])  # --quick changes nothing: every path is short
    tally = lines.Tally("secrets", lost_label="leaks")
    # the CLI's clients stop waiting
    client_module.RetryPolicy = NoWait  # type: ignore[misc, assignment]
    with (
        tempfile.TemporaryDirectory(prefix="rel-secrets-") as tmp,
        EntrezServer(synthetic_corpus(120, small=True, seed=5)) as server,
        invalid_names_refused(),
    ):
        for path in PATHS:
            take_path(server, Path(tmp), path, tally)
        for how in (signal.SIGKILL, signal.SIGTERM):
            killed_path(server, Path(tmp), how, tally)
    return tally.report()


if __name__ == "__main__":
    sys.exit(main())
