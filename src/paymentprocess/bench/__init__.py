"""Performance scripts (not tests): each measures one thing and reports numbers."""
