"""A free TCP port on 127.0.0.1, for the scripts that start `tm serve` or
`tm-server` (bench_serve.py, check_weblate.py, prove_postgres.py,
test_browser.py).

The port is free when this returns; another process could take it before the
server binds it, which on a test machine does not happen in practice (the
servers are started right after).
"""
import socket


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port
