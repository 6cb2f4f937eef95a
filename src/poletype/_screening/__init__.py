"""Screening: spreadsheets in, the template, field words, the what-if search, the screening run."""
