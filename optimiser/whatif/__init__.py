"""What-if analysis on top of the solve pipeline: compare, sweep, explain, sensitivity, monotone.

`reuse.py` is the shared engine: one built model in HiGHS, re-solved for variants of a scenario
that only change bounds, costs and right-hand sides (sweep points, one more post, a dropped
constraint). The click commands are in `commands.py`; the CLI registers them.
"""
