"""Outputs: the text report, the HTML report, the screening files, the map."""
