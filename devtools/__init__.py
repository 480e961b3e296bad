"""Developer-only tools: the local stack, the ``lambdesk`` command, seeding. Never packaged into Lambda."""
