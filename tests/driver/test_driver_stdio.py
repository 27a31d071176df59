"""The driver as a separate process: the JSON-lines protocol end to end, and standing alone."""

from __future__ import annotations

import ast
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

from driver_doubles import FakeControl, TcpPeers, echo, make_request

from grader.driver.stdio import main, serve

ROOT = Path(__file__).resolve().parents[2]
DRIVER = ROOT / "grader" / "driver"


def spawn(argv: list[str], cwd: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        argv, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def finish(proc: subprocess.Popen[bytes]) -> tuple[int, bytes, bytes]:
    """Exit code, what stdout still held after the result line, and stderr."""
    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
    proc.stdin.close()
    rest = proc.stdout.read()
    err = proc.stderr.read()
    proc.stdout.close()
    proc.stderr.close()
    return proc.wait(10), rest, err


def scenario() -> list[dict]:
    return [
        {"expect_running": None},
        {"stdin": "hello\n", "eof": False},
        {"expect_output": "ready", "stream": "stdout", "match": "contains", "timeout": None},
        {"connect": "main", "timeout": None},
        {"send": "over the wire\n"},
        {"expect": "over the wire\n"},
    ]


def test_python_m_grader_driver_speaks_json_lines(tcp_peers: TcpPeers):
    port = tcp_peers.start(echo)
    control = FakeControl()
    control.stdout += b"ready\n"
    proc = spawn([sys.executable, "-m", "grader.driver"], ROOT)
    assert proc.stdin is not None and proc.stdout is not None
    result = serve(make_request(scenario(), port), control, proc.stdin, proc.stdout)
    code, rest, err = finish(proc)
    assert result["status"] == "passed", result
    assert (code, rest) == (0, b""), (code, rest, err)
    assert bytes(control.stdin) == b"hello\n", "write_stdin's bytes did not cross intact"
    assert control.calls == ["write_stdin"], control.calls


def test_a_control_failure_crosses_the_protocol_as_an_error(tcp_peers: TcpPeers):
    class BrokenControl(FakeControl):
        def restart(self) -> None:
            raise RuntimeError("the container vanished")

    proc = spawn([sys.executable, "-m", "grader.driver"], ROOT)
    assert proc.stdin is not None and proc.stdout is not None
    result = serve(make_request([{"restart": None}], 1), BrokenControl(), proc.stdin, proc.stdout)
    code, rest, err = finish(proc)
    assert (code, rest) == (0, b""), (code, rest, err)
    assert result["status"] == "error", result
    assert result["reason"] == (
        "step 0 (restart): the grader could not restart the program: "
        "RuntimeError: the container vanished"
    ), result["reason"]


def test_the_package_runs_alone_without_grader_or_pydantic(tmp_path: Path, tcp_peers: TcpPeers):
    port = tcp_peers.start(echo)
    shutil.copytree(DRIVER, tmp_path / "driver", ignore=shutil.ignore_patterns("__pycache__"))
    # Make importing grader or pydantic fail: the copy in a container has neither.
    bootstrap = (
        "import sys, runpy; sys.modules['grader'] = None; sys.modules['pydantic'] = None; "
        "runpy.run_module('driver', run_name='__main__', alter_sys=True)"
    )
    proc = spawn([sys.executable, "-c", bootstrap], tmp_path)
    assert proc.stdin is not None and proc.stdout is not None
    control = FakeControl()
    control.stdout += b"ready\n"
    result = serve(make_request(scenario(), port), control, proc.stdin, proc.stdout)
    code, rest, err = finish(proc)
    assert result["status"] == "passed", (result, err)
    assert (code, rest) == (0, b""), (code, rest, err)


def test_a_bad_request_line_gets_an_error_result():
    out = io.BytesIO()
    assert main(io.BytesIO(b"this is not json\n"), out) == 0
    lines = out.getvalue().splitlines()
    assert len(lines) == 1, lines
    result = json.loads(lines[0])["result"]
    assert result["status"] == "error", result
    assert result["reason"].startswith("invalid driver request: not a JSON line"), result


def test_the_driver_imports_only_the_standard_library():
    for module in sorted(DRIVER.glob("*.py")):
        tree = ast.parse(module.read_text(), filename=str(module))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                assert top == "__future__" or top in sys.stdlib_module_names, (
                    f"{module.name} imports {name}, which is not in the standard library"
                )
