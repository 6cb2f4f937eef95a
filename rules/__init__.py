"""The rule files shipped with poletype, one typology per YAML file (data, not code)."""
