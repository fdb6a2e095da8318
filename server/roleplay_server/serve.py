"""Serving the WSGI app: gunicorn on Linux and macOS (several worker processes), waitress on Windows."""

from __future__ import annotations

import sys


def serve(host: str, port: int, workers: int, threads: int = 4) -> None:
    from roleplay_server.wsgi import application

    if sys.platform == "win32":
        import waitress

        # waitress is one process with a thread pool: --workers becomes more threads.
        waitress.serve(application, host=host, port=port, threads=max(threads, workers * threads), ident=None)
        return
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):
        def load_config(self) -> None:
            options = {
                "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
                "workers": workers,
                "worker_class": "gthread",
                "threads": threads,
                "timeout": 60,
                "graceful_timeout": 20,
                "accesslog": "-",
                # The request line only: the token travels in a header, which this format never prints.
                "access_log_format": '%(h)s "%(r)s" %(s)s %(b)s %(M)sms',
                "forwarded_allow_ips": "127.0.0.1,::1",
            }
            # gunicorn 24+ opens a control socket in the user's home; several servers on one machine would share it.
            if "control_socket_disable" in self.cfg.settings:
                options["control_socket_disable"] = True
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self):
            return application

    Server().run()
