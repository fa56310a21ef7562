"""One line per request, written before the answer leaves the worker.

gunicorn writes its access log only after the response is sent, so a client that reads the log
the moment it has its answer can miss the line (under load, often). A test that counts the calls
made to this server (introspections, to prove a cache works) needs the line to be there by then.
"""
import os

_PATH = os.environ.get("DOT_AUTHSERVER_REQUEST_LOG")


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if _PATH:
            traceparent = request.META.get("HTTP_TRACEPARENT", "-")
            line = f'"{request.method} {request.path}" {response.status_code} traceparent={traceparent}\n'
            # O_APPEND: one short write per line, so the workers' lines never interleave.
            with open(_PATH, "a", encoding="utf-8") as log:
                log.write(line)
        return response
