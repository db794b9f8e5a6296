"""The back-office web console under ``/console`` (staff accounts, alarms, cards, settlement)."""
