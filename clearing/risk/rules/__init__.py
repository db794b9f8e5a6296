"""One module per risk rule; each a pure function from facts and its parameters to findings."""
