"""Lunas on AWS: a stateful stack (data, keys, queues, users, secrets) and a stateless one (the Chalice app)."""
