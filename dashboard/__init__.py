"""The Dash dashboard, its pages and the `milbal` command line."""
