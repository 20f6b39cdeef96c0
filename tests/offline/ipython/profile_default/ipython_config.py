# The offline profile used for testing the notebooks (see startup/00_block_network.py). Keep no command
# history: kernels started from this profile must not write files into the repository.
c = get_config()  # noqa: F821
c.HistoryManager.enabled = False
