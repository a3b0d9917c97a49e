"""``veilleur serve``: the app under uvicorn, on loopback by default."""

from __future__ import annotations

import sys

from veilleur.settings import Settings


def serve(settings: Settings, *, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve the API and the map page until interrupted. The ledger must exist (``veilleur ingest``)."""
    import uvicorn

    from veilleur.api import open_ledger
    from veilleur.web.app import create_app
    from veilleur.web.security import allowed_hosts

    store = open_ledger(settings, create=False)  # a missing ledger is one error line, not a traceback
    try:
        app = create_app(settings, store=store, host=host)
        shown = f"[{host}]" if ":" in host else host
        if allowed_hosts(host) == ["*"]:
            print(
                f"warning: listening on {host}: other machines can read the ledger (the API stays read-only "
                "unless VEILLEUR_API_TOKEN is set)",
                file=sys.stderr,
            )
        print(
            f"serving {settings.db_path} at http://{shown}:{port}/ (API: /api/events, spec: /openapi.json); "
            "Ctrl-C stops",
            file=sys.stderr,
            flush=True,
        )
        uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
    finally:
        store.close()
