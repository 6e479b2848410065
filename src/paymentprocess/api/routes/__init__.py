"""One router per resource: claims, providers, health, payment events."""
