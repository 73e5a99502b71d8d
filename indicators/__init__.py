"""Pure analysis functions: DataFrame in, DataFrame out; no Dash, no file I/O."""
