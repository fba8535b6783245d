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

if __name__ == "__main__":
    unittest.main(module=platform_tests, verbosity=2)
