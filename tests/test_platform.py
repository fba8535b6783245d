# SPDX-License-Identifier: GPL-3.0-or-later
"""The local test platform's own tests (tests/platform/test_platform.py)."""
import importlib.util
import os
import sys
import unittest

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "platform")
# Appended, not prepended: tests/platform/platform.py must not shadow the
# standard library's "platform".
sys.path.append(HERE)
spec = importlib.util.spec_from_file_location("platform_tests", os.path.join(HERE, "test_platform.py"))
platform_tests = importlib.util.module_from_spec(spec)
spec.loader.exec_module(platform_tests)

# FITKO's OpenAPI document against every body the platform takes and gives.
spec = importlib.util.spec_from_file_location("openapi_tests", os.path.join(HERE, "test_openapi.py"))
openapi_tests = importlib.util.module_from_spec(spec)
spec.loader.exec_module(openapi_tests)


def load_tests(loader, tests, pattern):
    suite = unittest.TestSuite()
    suite.addTests(loader.loadTestsFromModule(platform_tests))
    suite.addTests(loader.loadTestsFromModule(openapi_tests))
    return suite


if __name__ == "__main__":
    unittest.main(verbosity=2)
