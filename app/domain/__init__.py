"""Domain values shared by every layer: money, cards, errors. Imports nothing of the app."""
