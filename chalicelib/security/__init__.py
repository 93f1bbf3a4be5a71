"""Token vault, passwords, sessions, API keys and webhook signatures."""
