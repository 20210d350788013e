"""Pure networkx functions over typed partnership graphs: no ORM here."""

from __future__ import annotations

import networkx as nx

# --- analysis: channel coverage, risks, dominators, brokers ---
