"""Schedule and queue handlers: thin entry points that call services (app.py declares them)."""
