"""Social return after the award (SPEC §8): valuation models as data and the valuation engine.

Pure like `scoring/`: no database, no web. `model.py` loads and checks the versioned
bouwblokken models in `sroi/models/`; `engine.py` values realisation lines with them.
"""
