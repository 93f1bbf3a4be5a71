"""Dataclasses, enums, errors and pure rules. No I/O, no AWS, no HTTP."""
