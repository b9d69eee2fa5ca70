"""Rendering a document to PDF, off the live path (docs/architecture.md, "Heavy work off
the live path").

A PDF takes about a second of CPU. With Socket.IO in threading mode that second would hold the
GIL and stall every other meeting's sockets, so the rendering runs in a separate process: the
request thread waits on the future (a wait that releases the GIL) and the live path carries on.
The worker needs no app, no database and no request: it gets the draft as plain data, renders
the Jinja template (autoescaped: nothing typed runs as markup) and hands it to WeasyPrint with a
URL fetcher that serves only our own static files.
"""
import atexit
import mimetypes
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape

ROOT = Path(__file__).resolve().parent.parent.parent
TEMPLATES = ROOT / "templates"
STATIC = ROOT / "static"
# Where our static files appear to WeasyPrint; the host is reserved (RFC 6761), never dialled.
STATIC_BASE = "https://facilitator.invalid/static/"
RENDER_TIMEOUT = 120  # seconds a request waits for its PDF before giving up

_pool = None
_pool_lock = threading.Lock()
_environment = None


# ---- In the worker process -----------------------------------------------------------------

def _jinja():
    global _environment
    if _environment is None:
        _environment = Environment(loader=FileSystemLoader(str(TEMPLATES)),
                                   autoescape=select_autoescape(default=True,
                                                                default_for_string=True))
    return _environment


def document_html(draft):
    """The document as HTML: the same template the preview page includes."""
    return _jinja().get_template("documents/pdf/document.html").render(
        doc=draft, static_base=STATIC_BASE)


def static_file(url):
    """The file under static/ that a URL of ours names, or None for anything else."""
    if not url.startswith(STATIC_BASE):
        return None
    relative = PurePosixPath(unquote(urlsplit(url).path).removeprefix("/static/"))
    if relative.is_absolute() or ".." in relative.parts:
        return None
    path = (STATIC / relative).resolve()
    if STATIC.resolve() not in path.parents or not path.is_file():
        return None
    return path


def _fetcher():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        """Nothing typed can make the server fetch a URL: only our static files are served."""

        def fetch(self, url, headers=None):
            path = static_file(url)
            if path is None:
                raise ValueError(f"not one of our static files: {url[:200]}")
            mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime_type})

    return StaticOnlyFetcher()


def render_pdf(draft):
    """The PDF bytes of a draft: A4, tagged for screen readers (PDF/UA-1), titled, in English."""
    from weasyprint import HTML

    html = HTML(string=document_html(draft), base_url=STATIC_BASE, url_fetcher=_fetcher())
    return html.write_pdf(pdf_variant="pdf/ua-1", uncompressed_pdf=False)


def _lower_priority():
    """The worker yields the CPU to the live server when both want it (a 2-core machine)."""
    try:
        os.nice(10)
    except OSError:
        pass


# ---- In the app process --------------------------------------------------------------------

def _executor():
    global _pool
    with _pool_lock:
        if _pool is None:
            # spawn, not fork: forking a process that runs socket threads can copy held locks.
            _pool = ProcessPoolExecutor(max_workers=1, initializer=_lower_priority,
                                        mp_context=multiprocessing.get_context("spawn"))
        return _pool


def pdf_of(draft):
    """Render in the worker process and wait for it (the live path keeps running)."""
    return _executor().submit(render_pdf, draft).result(timeout=RENDER_TIMEOUT)


def reset_worker():
    """After the worker died (killed, out of memory): the next document starts a new one."""
    global _pool
    with _pool_lock:
        broken, _pool = _pool, None
    if broken is not None:
        broken.shutdown(wait=False, cancel_futures=True)


@atexit.register
def _shutdown():
    if _pool is not None:
        _pool.shutdown(wait=False, cancel_futures=True)
