"""The floor for scripts/bench_live.py: a bare python-socketio broadcast server, same library.

    python scripts/bench_floor.py PORT [threading|gevent] [REDIS_URL CHANNEL]

It does only what any Socket.IO broadcast must: put a client in a room and send each message
to the room. No database, no rendering, no checks: what is left is the library's own cost.
"""
import sys

PORT = int(sys.argv[1])
MODE = sys.argv[2] if len(sys.argv) > 2 else "threading"
if MODE == "gevent":
    from gevent import monkey

    monkey.patch_all()

import socketio  # noqa: E402

queue = socketio.RedisManager(sys.argv[3], channel=sys.argv[4]) if len(sys.argv) > 4 else None
sio = socketio.Server(async_mode=MODE, client_manager=queue)


@sio.on("join")
def join(sid, data):
    sio.enter_room(sid, data["room"])
    return {"ok": True}


@sio.on("send")
def send(sid, data):
    sio.emit("meeting.event", {"type": data["type"], "seq": data["n"],
                               "ops": [{"html": data["text"]}]}, to=data["room"])
    return {"ok": True, "seq": data["n"]}


app = socketio.WSGIApp(sio)
if MODE == "gevent":
    from gevent import pywsgi

    pywsgi.WSGIServer(("127.0.0.1", PORT), app, log=None).serve_forever()
else:
    from werkzeug.serving import run_simple

    run_simple("127.0.0.1", PORT, app, threaded=True)
