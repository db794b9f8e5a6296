"""Interchange between cities (互联互通): a center's forwarding, and the national platform."""
