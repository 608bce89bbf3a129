"""A durable job table and the worker that processes it (matching now, reminders later)."""
