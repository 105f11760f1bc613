# pytester drives the pytest plugin end to end in tests/test_pytest_plugin.py.
pytest_plugins = ["pytester"]
