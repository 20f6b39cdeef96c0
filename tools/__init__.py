"""The repository's development tools (not part of the student package ``mdn_lessons``).

Run them from the repository root as modules, ``python -m tools.execute_notebooks`` and so on, so that
``tools`` is importable without editing ``sys.path``; pytest finds it through ``pythonpath = ["."]``.

- :mod:`tools.notebook_kernels`: how every tool and test runs a notebook's kernel (deterministic, offline);
- :mod:`tools.jupyterlab_driver`: a real JupyterLab in headless Chromium, for the browser tests and screenshots;
- :mod:`tools.figure_files`: writing PNG figures and GIF animations into ``figures/``;
- :mod:`tools.execute_notebooks`, :mod:`tools.check_determinism`, :mod:`tools.make_figures`: the commands
  behind ``make execute``, ``make determinism`` and ``make figures``.
"""
