"""Data ownership: a workspace's complete data written out (`hubbub export`) and restored into
another install (`hubbub import`).

- graph.py: which models are a workspace's, how each reaches it, the order to load them in,
  and the install-wide models left out (with the reason). Found from the models themselves,
  so a new model is exported without code here, or a test says it must be classified.
- archive.py: the export folder (manifest.json, one JSON Lines file per model, media/) and
  its checks.
- export.py / restore.py: writing and reading it; references.py: the ids some rows keep in
  JSON or text rather than in foreign keys, rewritten on import.
"""
