"""Small real data sets shipped as files inside the package (see README.md here for their sources).

Read them through :mod:`mdn_lessons.data` (e.g. ``ml.data.old_faithful()``), not directly.
"""
