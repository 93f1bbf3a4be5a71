"""The local stack: embedded AWS, simulator, API, same-origin front and job clock. Never deployed."""
