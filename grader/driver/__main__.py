"""``python3 -m driver``: run one request read from stdin, speaking JSON lines (see stdio)."""

from __future__ import annotations

from .stdio import main

raise SystemExit(main())
