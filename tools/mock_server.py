"""Start libiggy's standalone iggy-mock-server on an ephemeral loopback port (Python scripts:
tests/interop/run_interop.py, bench/peers/compare.py). The shell tests have the same in
tests/support/mock_server.sh."""
import os
import subprocess
import tempfile
import time


class MockServer:
    """A running iggy-mock-server; .addr is its host:port. Raises RuntimeError if it fails."""

    def __init__(self, bin_dir, username=None, password=None):
        mock = os.path.join(bin_dir, "iggy-mock-server")
        if not os.access(mock, os.X_OK):
            raise RuntimeError(f"{mock} is not built")
        argv = [mock, "--listen", "127.0.0.1:0"]
        if username:
            argv += ["--username", username, "--password", password or ""]
        self.log = tempfile.NamedTemporaryFile(prefix="iggy-mock-", suffix=".log", delete=False)
        self.proc = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT)
        self.addr, deadline = None, time.time() + 10
        while time.time() < deadline and self.addr is None:
            with open(self.log.name) as f:
                for line in f:
                    if "listening on " in line:
                        self.addr = line.split("listening on ")[1].split()[0]
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        if not self.addr or not self.addr.startswith("127.0.0.1:"):
            self.stop()
            raise RuntimeError(f"iggy-mock-server did not report a loopback address ({self.addr})")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc and os.path.exists(self.log.name):
            os.unlink(self.log.name)
        self.proc = None
