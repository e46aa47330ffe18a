"""What the suites share besides fixtures: signing in and posting forms, servers on loopback,
the demo and workspace databases, browser checks and the reliability figures.

Conftests hold fixtures and import from here; tests import from here, never from a conftest
(a conftest imported as a library is loaded twice under two names, and hides what a test needs).
"""
