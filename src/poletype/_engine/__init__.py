"""The engine.

Expressions, symbols, the compiler, Kleene and fuzzy logic, the evaluator and its backends.
"""
