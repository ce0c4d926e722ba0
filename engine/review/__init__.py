"""Plans over time: reading them from git's history and comparing two points of it."""
