"""Text the user reads: the message catalogue, number/date/period formats, text made safe to show."""
