"""HTTP service: GET /healthz reports the commit it runs (gantry's health contract, with
version-path: /healthz and version-field: commit), GET /orders/<id> answers an order."""
import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ORDERS = {"1": {"id": "1", "item": "coffee", "quantity": 2}}


def health(environ=os.environ):
    """What /healthz answers: gantry sets DEPLOY_GIT_SHA and DEPLOY_VERSION on the container."""
    return {
        "status": "ok",
        "commit": environ.get("DEPLOY_GIT_SHA", "unknown"),
        "version": environ.get("DEPLOY_VERSION", ""),
    }


def route(path):
    """(status, body) for a GET of path."""
    if path == "/healthz":
        return 200, health()
    if path.startswith("/orders/"):
        order = ORDERS.get(path[len("/orders/"):])
        if order is None:
            return 404, {"error": "no such order"}
        return 200, order
    return 404, {"error": "not found"}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (the name http.server calls)
        status, body = route(self.path)
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format, *args):  # quiet in tests
        pass


def serve(host="0.0.0.0", port=None):
    server = ThreadingHTTPServer((host, int(port or os.environ.get("PORT", "8080"))), Handler)
    return server


if __name__ == "__main__":
    serve().serve_forever()
