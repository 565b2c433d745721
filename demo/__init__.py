"""Demo data for ``manage.py seed_demo``: two vendors running believable channels, and a login for every role.

``demo.seed.seed_demo`` runs a list of steps per tenant (``demo.seed.STEPS``); each step takes a
``DemoTenant`` (the tenant, its seeded random source, the people and partners made so far) and adds
one kind of data through the services. Later data (facts, programs, settlements) is one more step.
"""
