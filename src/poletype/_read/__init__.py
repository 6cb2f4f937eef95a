"""Document readers shared by every stage.

Size limits, YAML and JSON, words as data, parameter values.
"""
