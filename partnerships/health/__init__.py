"""Partnership health, the checks-and-balances analysis: the networkx functions in
partnerships/graph.py read from the database and cached (analysis.py), its filters (forms.py)
and its pages (views.py, urls.py)."""
