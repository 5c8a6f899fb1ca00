"""The verkenner served to a training room: reachable beyond 127.0.0.1, and nothing but the explorer.

The server is started as a trainer does (``impactmonitor verkenner --bind 0.0.0.0``) and reached
at 127.0.0.2, another loopback address: it listens beyond 127.0.0.1 while no traffic leaves this
machine. A participant's browser must not list or read files, open a terminal, start kernels or
run code (Voilà accepts no ``execute_request``; a widget message still gets its answer).
"""

import asyncio
import json
import re
import time
import uuid
from pathlib import Path

import pytest
import requests

from impactlib import room
from impactlib.cli import main
from impactlib.cli import verkenner as cli_verkenner
from mirror_fixtures import free_port
from serving import verkenner_process, wait_until_serving

pytest.importorskip("voila", reason="voila ontbreekt; installeer met pip install -e .")

ROOM_HOST = "127.0.0.2"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    port = free_port()
    log = tmp_path_factory.mktemp("room") / "stdout.txt"
    with open(log, "w") as out, verkenner_process(
        "--bind", "0.0.0.0", "--port", str(port), "--pool", "1", "--no-browser", "--source", "snapshot", stdout=out,
    ) as process:
        url = f"http://{ROOM_HOST}:{port}"
        wait_until_serving(url + "/", process, timeout=90, answer_timeout=60, pause=0.5)
        yield url, port, log.read_text(encoding="utf-8")


def test_serves_beyond_127_0_0_1_and_prints_the_room_address(served):
    url, port, printed = served
    page = requests.get(url + "/", timeout=120)  # may wait for Voilà to heat the next kernel
    assert page.status_code == 200 and "kernelId" in page.text
    assert f"poort {port}" in printed and "deelnemers" in printed
    for address in room.room_addresses():
        assert f"http://{address}:{port}/" in printed  # printed, never connected to
    if not room.room_addresses():
        assert "niet te vinden" in printed


@pytest.mark.parametrize("method,path", [
    ("GET", "/api/contents"), ("GET", "/api/contents/notebooks/verkenner.ipynb"), ("PUT", "/api/contents/x.ipynb"),
    ("GET", "/api/terminals"), ("POST", "/api/terminals"), ("GET", "/terminals/1"),
    ("GET", "/api/kernels"), ("POST", "/api/kernels"), ("GET", "/api/sessions"), ("POST", "/api/sessions"),
    ("GET", "/api/kernelspecs"), ("GET", "/tree"), ("GET", "/lab"), ("GET", "/files/README.md"),
    ("GET", "/README.md"), ("GET", "/notebooks/verkenner.ipynb"), ("GET", "/voila/render/notebooks/verkenner.ipynb"),
    ("GET", "/voila/files/docs/index.md"), ("GET", "/api/nbconvert"),
])
def test_a_participant_cannot_look_around(served, method, path):
    url, _, _ = served
    answer = requests.request(method, url + path, timeout=10, allow_redirects=True)
    assert answer.status_code in (403, 404), f"{method} {path}: {answer.status_code}"
    assert "verkenner.ipynb" not in answer.text and '"cells"' not in answer.text


def _message(kind: str, content: dict) -> str:
    return json.dumps({
        "header": {"msg_id": uuid.uuid4().hex, "msg_type": kind, "username": "deelnemer", "session": uuid.uuid4().hex,
                   "version": "5.3", "date": ""},
        "parent_header": {}, "metadata": {}, "content": content, "channel": "shell", "buffers": [],
    })


def test_the_browser_cannot_run_code_in_its_kernel(served, tmp_path):
    from tornado.websocket import websocket_connect

    url, _, _ = served
    page = requests.get(url + "/", timeout=120).text  # may wait for Voilà to heat the next kernel
    kernel = re.search(r'"kernelId":\s*"([^"]+)"', page).group(1)
    marker = tmp_path / "uitgevoerd.txt"
    code = f"open({str(marker)!r}, 'w').write('code uit de browser')"

    async def talk() -> list[str]:
        ws = await websocket_connect(f"{url.replace('http', 'ws')}/api/kernels/{kernel}/channels?session_id={uuid.uuid4().hex}")
        await ws.write_message(_message("execute_request", {"code": code, "silent": False, "store_history": False,
                                                            "user_expressions": {}, "allow_stdin": False}))
        await ws.write_message(_message("comm_info_request", {}))
        seen, end = [], time.monotonic() + 8
        while time.monotonic() < end and "comm_info_reply" not in seen:
            try:
                raw = await asyncio.wait_for(ws.read_message(), 1)
            except asyncio.TimeoutError:
                continue
            if raw is None:
                break
            if isinstance(raw, str):
                seen.append(json.loads(raw)["msg_type"])
        await asyncio.sleep(1.5)  # time for an execute_request that got through to run
        ws.close()
        return seen

    seen = asyncio.run(talk())
    assert "comm_info_reply" in seen  # the channel works: widget messages get through
    assert "execute_reply" not in seen and "execute_input" not in seen
    assert not marker.exists()


def test_voila_command_binds_where_asked_and_preheats():
    local = cli_verkenner.voila_command(8900, open_browser=False)
    assert "--Voila.ip=127.0.0.1" in local and "impactlib.cli.voila_room" in local
    room_cmd = cli_verkenner.voila_command(8900, open_browser=False, bind="0.0.0.0", pool=12)
    assert "--Voila.ip=0.0.0.0" in room_cmd
    assert "--VoilaConfiguration.preheat_kernel=True" in room_cmd
    assert "--VoilaConfiguration.default_pool_size=12" in room_cmd
    assert not any("preheat" in a for a in cli_verkenner.voila_command(8900, open_browser=False, pool=0))


def test_bad_bind_or_pool_is_one_line_and_exit_2(capsys):
    assert main(["verkenner", "--bind", "iedereen", "--no-browser"]) == 2
    assert "geen netwerkadres" in capsys.readouterr().err
    assert main(["verkenner", "--bind", "0.0.0.0", "--pool", "-1", "--no-browser", "--port", str(free_port())]) == 2
    assert "--pool" in capsys.readouterr().err


def test_room_addresses_leave_out_what_others_cannot_reach():
    found = room.room_addresses(["127.0.0.1", "169.254.3.4", "8.8.4.4", "192.168.1.20", "10.0.0.5", "::1", "x"])
    assert found == ["10.0.0.5", "192.168.1.20", "8.8.4.4"]  # private first
    assert room.room_urls(8866, addresses=["10.0.0.5"]) == ["http://10.0.0.5:8866/"]
    assert room.is_everywhere("0.0.0.0") and not room.is_everywhere("127.0.0.1")


def test_announce_prints_the_address_and_a_qr_code():
    import io

    out = io.StringIO()
    urls = room.announce("Verkenner", 8866, addresses=["192.168.1.20"], out=out)
    text = out.getvalue()
    assert urls == ["http://192.168.1.20:8866/"] and "http://192.168.1.20:8866/" in text
    if room.qr_text("x") is not None:  # segno installed (a dependency)
        assert "scan" in text and "█" in text
    silent = io.StringIO()
    assert room.announce("Verkenner", 8866, addresses=[], out=silent) == []
    assert "niet te vinden" in silent.getvalue()


def test_the_pool_is_refilled_one_kernel_at_a_time():
    """voila_room.in_turn: a second pre-heat starts only when the first one's notebook has run."""
    from impactlib.cli.voila_room import in_turn

    log = []

    async def initialize(name):  # what Voilà's _initialize returns: the kernel, and its notebook as a task
        log.append(f"start {name}")

        async def notebook():
            await asyncio.sleep(0.05)
            log.append(f"ran {name}")

        return {"kernel_id": name, "task": asyncio.get_running_loop().create_task(notebook())}

    async def refill(wrappers):
        return await asyncio.gather(*(w(n) for w, n in zip(wrappers, ("a", "b", "c"))))

    shared = in_turn(initialize)
    done = asyncio.run(refill([shared] * 3))
    assert [d["kernel_id"] for d in done] == ["a", "b", "c"] and all(d["task"].done() for d in done)
    assert log == ["start a", "ran a", "start b", "ran b", "start c", "ran c"]
    log.clear()
    asyncio.run(refill([initialize] * 3))  # unwrapped, the three overlap: the order above is the gate's
    assert log[:3] == ["start a", "start b", "start c"]


def test_the_room_template_drops_every_outside_link_of_voilas_page():
    from jupyter_core.paths import jupyter_path

    from impactlib.cli.voila_room import PAGE_TEMPLATE

    ours = (PAGE_TEMPLATE / "index.html.j2").read_text(encoding="utf-8")
    assert "extends 'lab/index.html.j2'" in ours
    pages = [p for p in (Path(d) / "lab" / "index.html.j2" for d in jupyter_path("voila", "templates")) if p.exists()]
    assert pages, "Voilà's lab template not found"
    outside = re.findall(r'<link [^>]*href="https?://[^>]*>', pages[0].read_text(encoding="utf-8"))
    assert outside and all(link in ours for link in outside)  # each one is replaced away in ours
