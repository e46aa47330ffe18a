"""The rules module: pure functions from definitions and answers to scores and findings.

Nothing here touches the web, the database or files; callers hand in the definition, the
answers and the rules, and get a frozen, deterministic result back.
"""
