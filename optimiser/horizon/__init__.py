"""Several years (NEED.md): the inputs of each year, the joint model, and the runs."""
