"""Outputs taken away: the deck model, PPTX, PDF, PNG and Excel."""
