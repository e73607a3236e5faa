"""A small stand-in for the Hugging Face Hub's HTTP API, on 127.0.0.1 only.

It answers the calls ``huggingface_hub`` (``hf_hub_download``, ``snapshot_download``,
``HfFileSystem``), ``transformers`` (``from_pretrained``) and ``datasets``
(``load_dataset``, streaming included) make, for repositories a test builds in
memory, so the course's real Hub code paths run in CI without the Hub:

* ``GET /api/{models,datasets}/{repo}[/revision/{rev}]``: repository info (sha, siblings);
* ``GET /api/{models,datasets}/{repo}/tree/{rev}[/{path}]``: a folder listing;
* ``POST /api/{models,datasets}/{repo}/paths-info/{rev}``: info on given paths;
* ``HEAD``/``GET /[datasets/]{repo}/resolve/{rev}/{path}``: a file, with ``X-Repo-Commit``,
  ``ETag``, ``X-Linked-Etag``, ``X-Linked-Size``, and byte ranges (``206``);
* missing repositories, revisions and files answer 404 with the Hub's ``X-Error-Code``.

Revisions such as ``refs/convert/parquet`` arrive URL-quoted (``refs%2Fconvert%2Fparquet``).
The server binds 127.0.0.1 on a free port, answers at most ``max_requests`` requests and
stops by itself after ``lifetime`` seconds, whatever the test does.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

MAIN = "main"


@dataclass
class FakeRepo:
    """One repository: files per revision (``main``, ``refs/convert/parquet``...)."""

    repo_id: str
    repo_type: str  # "model" or "dataset"
    revisions: dict[str, dict[str, bytes]] = field(default_factory=dict)

    def sha(self, revision: str) -> str:
        digest = hashlib.sha1(f"{self.repo_type}/{self.repo_id}@{revision}".encode())
        for path, data in sorted(self.revisions[revision].items()):
            digest.update(path.encode() + hashlib.sha1(data).digest())
        return digest.hexdigest()


def _etag(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class RequestLog:
    """What the server was asked, for the test to check (method, path)."""

    entries: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, method: str, path: str) -> None:
        with self.lock:
            self.entries.append((method, path))

    def paths(self, method: str | None = None) -> list[str]:
        with self.lock:
            return [p for m, p in self.entries if method in (None, m)]


class FakeHub:
    """The repositories served, and the HTTP server serving them."""

    def __init__(self, *, max_requests: int = 2000, lifetime: float = 120.0) -> None:
        self.repos: dict[tuple[str, str], FakeRepo] = {}
        self.log = RequestLog()
        self.max_requests = max_requests
        self.lifetime = lifetime
        self._server: ThreadingHTTPServer | None = None

    def add(
        self,
        repo_id: str,
        files: dict[str, bytes],
        *,
        repo_type: str = "model",
        revision: str = MAIN,
    ) -> FakeRepo:
        """Add (or extend) a repository with ``files`` at ``revision``."""
        repo = self.repos.setdefault((repo_type, repo_id), FakeRepo(repo_id, repo_type))
        repo.revisions.setdefault(revision, {}).update(files)
        repo.revisions.setdefault(MAIN, {})
        return repo

    @property
    def endpoint(self) -> str:
        assert self._server is not None, "start the server first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @contextmanager
    def running(self) -> Iterator[FakeHub]:
        """Serve on 127.0.0.1 in a thread until the block ends (or ``lifetime`` runs out)."""
        hub = self

        class Handler(_Handler):
            fake = hub

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        self._server = server
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        # The bound on the server's life, whatever the test does.
        watchdog = threading.Timer(self.lifetime, server.shutdown)
        watchdog.daemon = True
        watchdog.start()
        try:
            yield self
        finally:
            watchdog.cancel()
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)


class _Handler(BaseHTTPRequestHandler):
    fake: FakeHub
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
        pass

    # -- plumbing -------------------------------------------------------------------
    def _send(
        self,
        status: int,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
        *,
        content_type: str = "application/json",
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, payload: object, status: int = 200) -> None:
        self._send(status, json.dumps(payload).encode())

    def _error(self, status: int, code: str, message: str) -> None:
        self._send(
            status,
            json.dumps({"error": message}).encode(),
            {"X-Error-Code": code, "X-Error-Message": message},
        )

    def _count(self) -> bool:
        self.fake.log.add(self.command, self.path)
        if len(self.fake.log.entries) > self.fake.max_requests:
            self._error(429, "TooManyRequests", "fake Hub: request budget spent")
            return False
        return True

    def do_HEAD(self) -> None:
        if self._count():
            self._route()

    def do_GET(self) -> None:
        if self._count():
            self._route()

    def do_POST(self) -> None:
        if self._count():
            length = int(self.headers.get("Content-Length") or 0)
            self._body = self.rfile.read(length) if length else b""
            self._route()

    # -- routing --------------------------------------------------------------------
    def _route(self) -> None:
        parts = urlsplit(self.path)
        segments = [unquote(s) for s in parts.path.split("/") if s]
        query = parse_qs(parts.query)
        if not segments or segments == ["api", "models"]:
            return self._json([])
        if segments[0] == "api" and len(segments) >= 3 and segments[1] in ("models", "datasets"):
            return self._api("model" if segments[1] == "models" else "dataset", segments[2:], query)
        repo_type = "model"
        if segments[0] == "datasets":
            repo_type, segments = "dataset", segments[1:]
        if "resolve" in segments:
            at = segments.index("resolve")
            repo_id = "/".join(segments[:at])
            if len(segments) < at + 3:
                return self._error(404, "EntryNotFound", "no file named")
            return self._resolve(repo_type, repo_id, segments[at + 1], "/".join(segments[at + 2 :]))
        return self._error(404, "RepoNotFound", f"fake Hub: no route for {parts.path}")

    def _repo(self, repo_type: str, repo_id: str) -> FakeRepo | None:
        repo = self.fake.repos.get((repo_type, repo_id))
        if repo is None:
            self._error(404, "RepoNotFound", f"Repository Not Found: {repo_id}")
        return repo

    def _files(self, repo: FakeRepo, revision: str) -> dict[str, bytes] | None:
        # Clients pin the commit sha they were given: resolve it back to its revision.
        for name in repo.revisions:
            if repo.sha(name) == revision:
                return repo.revisions[name]
        if revision not in repo.revisions:
            self._error(404, "RevisionNotFound", f"Invalid rev id: {revision}")
            return None
        return repo.revisions[revision]

    def _api(self, repo_type: str, rest: list[str], query: dict[str, list[str]]) -> None:
        # The repo id has one or two segments ("bert-base-cased", "eriktks/conll2003").
        for keyword in ("revision", "tree", "paths-info"):
            if keyword in rest:
                at = rest.index(keyword)
                repo_id, after = "/".join(rest[:at]), rest[at + 1 :]
                break
        else:
            keyword, repo_id, after = "info", "/".join(rest), [MAIN]
        repo = self._repo(repo_type, repo_id)
        if repo is None:
            return None
        revision = after[0] if after else MAIN
        files = self._files(repo, revision)
        if files is None:
            return None
        sha = next((repo.sha(n) for n in repo.revisions if repo.sha(n) == revision), None)
        sha = sha or repo.sha(revision)
        if keyword in ("info", "revision"):
            return self._json(
                {
                    "_id": sha[:24],
                    "id": repo_id,
                    "sha": sha,
                    "private": False,
                    "disabled": False,
                    "gated": False,
                    "downloads": 0,
                    "likes": 0,
                    "tags": [],
                    "cardData": {},
                    "lastModified": "2026-01-01T00:00:00.000Z",
                    "createdAt": "2026-01-01T00:00:00.000Z",
                    "siblings": [
                        {"rfilename": p, "size": len(d)} for p, d in sorted(files.items())
                    ],
                }
            )
        if keyword == "tree":
            folder = "/".join(after[1:]).strip("/")
            recursive = query.get("recursive", ["false"])[0].lower() == "true"
            return self._json(_tree(files, folder, recursive))
        paths = parse_qs(getattr(self, "_body", b"").decode()).get("paths", [])
        entries = []
        for path in paths:
            entries += [e for e in _tree(files, "", True) if e["path"] == path.strip("/")]
        return self._json(entries)

    def _resolve(self, repo_type: str, repo_id: str, revision: str, path: str) -> None:
        repo = self._repo(repo_type, repo_id)
        if repo is None:
            return
        files = self._files(repo, revision)
        if files is None:
            return
        sha = next((repo.sha(n) for n in repo.revisions if repo.sha(n) == revision), None)
        headers = {"X-Repo-Commit": sha or repo.sha(revision), "Accept-Ranges": "bytes"}
        if path not in files:
            self._send(
                404,
                b"Entry not found",
                {**headers, "X-Error-Code": "EntryNotFound", "X-Error-Message": "Entry not found"},
                content_type="text/plain",
            )
            return
        data = files[path]
        etag = _etag(data)
        headers.update(
            {"ETag": f'"{etag}"', "X-Linked-Etag": f'"{etag}"', "X-Linked-Size": str(len(data))}
        )
        byte_range = self.headers.get("Range")
        if byte_range and byte_range.startswith("bytes="):
            start_text, _, end_text = byte_range[6:].partition("-")
            start = int(start_text) if start_text else max(0, len(data) - int(end_text))
            end = min(int(end_text), len(data) - 1) if start_text and end_text else len(data) - 1
            if start >= len(data):
                self._send(416, b"", {**headers, "Content-Range": f"bytes */{len(data)}"})
                return
            headers["Content-Range"] = f"bytes {start}-{end}/{len(data)}"
            self._send(206, data[start : end + 1], headers, content_type="application/octet-stream")
            return
        self._send(200, data, headers, content_type="application/octet-stream")


def _tree(files: dict[str, bytes], folder: str, recursive: bool) -> list[dict[str, object]]:
    """The Hub's tree listing of ``folder``: files and sub-folders, one level or all."""
    prefix = f"{folder}/" if folder else ""
    entries: dict[str, dict[str, object]] = {}
    for path, data in sorted(files.items()):
        if not path.startswith(prefix):
            continue
        rest = path[len(prefix) :].split("/")
        for depth in range(1, len(rest)):
            directory = prefix + "/".join(rest[:depth])
            if recursive or depth == 1:
                entries.setdefault(
                    directory,
                    {
                        "type": "directory",
                        "path": directory,
                        "oid": hashlib.sha1(directory.encode()).hexdigest(),
                    },
                )
            if not recursive:
                break
        if recursive or len(rest) == 1:
            entries[path] = {
                "type": "file",
                "path": path,
                "size": len(data),
                "oid": hashlib.sha1(data).hexdigest(),
            }
    return list(entries.values())
