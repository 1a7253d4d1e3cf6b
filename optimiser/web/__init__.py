"""The web service (`optimiser serve`, SERVICE.md "Web service").

A thin layer over the same pipeline functions as the CLI: a plan made in the browser is the
plan `optimiser solve` makes for the same dataset and scenario, and it is recorded in the same
plan registry. Solves run in a pool of worker processes, so a slow or crashing solve never
blocks nor takes down the server.
"""
