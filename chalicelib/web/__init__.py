"""The owner's dashboard (Chalice Blueprint in `routes.py`, registered by app.py)."""
