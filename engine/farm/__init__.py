"""The render farm: a long spec cut into time windows rendered on Dask workers, joined without
re-encoding, with the sound rendered once for the whole timeline. Dask is imported only when a
farm command runs."""
