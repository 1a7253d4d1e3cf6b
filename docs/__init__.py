"""Documentation helpers: `python -m docs.examples` regenerates the example outputs of the docs."""
