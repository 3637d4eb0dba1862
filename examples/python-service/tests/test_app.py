import json
import threading
import unittest
import urllib.error
import urllib.request

from service import app


class RouteTest(unittest.TestCase):
    def test_health_reports_the_commit_gantry_deployed(self):
        body = app.health({"DEPLOY_GIT_SHA": "a1b2c3d", "DEPLOY_VERSION": "1.2.0"})
        self.assertEqual(body, {"status": "ok", "commit": "a1b2c3d", "version": "1.2.0"})

    def test_order_found_and_missing(self):
        self.assertEqual(app.route("/orders/1")[0], 200)
        self.assertEqual(app.route("/orders/9"), (404, {"error": "no such order"}))
        self.assertEqual(app.route("/nope")[0], 404)


class ServerTest(unittest.TestCase):
    def setUp(self):
        self.server = app.serve("127.0.0.1", 0)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"

    def tearDown(self):
        self.server.shutdown()
        self.server.server_close()

    def test_healthz_over_http(self):
        with urllib.request.urlopen(f"{self.base}/healthz") as response:
            self.assertEqual(response.status, 200)
            self.assertEqual(json.load(response)["status"], "ok")

    def test_unknown_path_is_404(self):
        with self.assertRaises(urllib.error.HTTPError) as raised:
            urllib.request.urlopen(f"{self.base}/missing")
        self.assertEqual(raised.exception.code, 404)


if __name__ == "__main__":
    unittest.main()
