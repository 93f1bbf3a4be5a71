"""Use cases. No Chalice imports; collaborators arrive through ``__init__``."""
