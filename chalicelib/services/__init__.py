"""Use cases: what Lunas does, independent of Lambda and of any vendor SDK."""
