"""Services: everything with side effects around the pure engine (conversations, actions)."""
