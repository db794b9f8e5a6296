"""Risk rules over the records the center holds, and the alarms they raise (预警)."""
