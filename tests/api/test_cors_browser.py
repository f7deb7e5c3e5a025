"""A browser app on another origin uses the version headers, in headless Chromium: it logs in,
reads a program's ETag and writes with If-Match; an origin not listed reads nothing."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.browser import BROWSER_TEST, browser_page
from tests.factories import ProgramFactory

pytestmark = BROWSER_TEST

APP_PAGE = b"<!doctype html><title>A client app</title><p>ptbuilder app</p>"
JOURNEY = """async ([api, username, password, id]) => {
  const json = { "Content-Type": "application/json" };
  const login = await fetch(`${api}/api/v1/auth/token/`, {
    method: "POST", headers: json, body: JSON.stringify({ username, password }),
  });
  const { token } = await login.json();
  const auth = { Authorization: `Token ${token}` };
  const read = await fetch(`${api}/api/v1/programs/${id}/`, { headers: auth });
  const etag = read.headers.get("ETag");
  const write = (tag) => fetch(`${api}/api/v1/programs/${id}/`, {
    method: "PATCH", headers: { ...auth, ...json, "If-Match": tag },
    body: JSON.stringify({ notes: "Written from the app." }),
  });
  const written = await write(etag);
  const stale = await write(etag);
  return {
    etag, written: written.status, newEtag: written.headers.get("ETag"), stale: stale.status,
    requestId: written.headers.get("X-Request-ID"),
  };
}"""


class AppPage(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(APP_PAGE)

    def log_message(self, *args):  # quiet
        pass


@pytest.fixture
def app_origin():
    """A second web server on 127.0.0.1: the client app's origin."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), AppPage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_an_app_on_a_listed_origin_reads_the_etag_and_writes_with_if_match(
    live_server, therapist, settings, app_origin
):
    program = ProgramFactory(owner=therapist)
    settings.CORS_ALLOWED_ORIGINS = [app_origin]
    arguments = [live_server.url, therapist.username, "a-long-test-password", program.pk]
    with browser_page() as page:
        page.goto(app_origin)
        outcome = page.evaluate(JOURNEY, arguments)
        settings.CORS_ALLOWED_ORIGINS = []
        with pytest.raises(Exception, match="Failed to fetch"):
            page.evaluate(JOURNEY, arguments)
    assert outcome["etag"] and outcome["newEtag"] and outcome["newEtag"] != outcome["etag"]
    assert (outcome["written"], outcome["stale"]) == (200, 412)
    assert outcome["requestId"]
    program.refresh_from_db()
    assert program.notes == "Written from the app."
