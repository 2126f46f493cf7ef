"""Procurement arithmetic (SPEC §4): fictitious discount on bids and SROI reduction.

Pure functions on Decimal money; the register look-up lives in pso.services.register_facts.
"""
