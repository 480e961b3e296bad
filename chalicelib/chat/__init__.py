"""Live chat on the portal: conversations that are tickets on channel ``chat``, WebSocket frames with sequence
numbers, agents' chat presence, ring and queue (docs/decisions/043-chat.md)."""
