"""The command line's parts: inputs and outputs, the research commands (see `poletype.cli`)."""
