"""The quadrant diagram: the SVG drawing (drawing.py, plain data in, SVG out), what it counts
(selectors.py), its filters (forms.py) and its pages (views.py, urls.py)."""
