"""Routing: rules that pick a team and tag new tickets, and strategies that pick an agent (pure domain logic)."""
