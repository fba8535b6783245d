# SPDX-License-Identifier: GPL-3.0-or-later
"""The generated JSON Schema of every bundled form, checked with an
independent validator (Debian's python3-jsonschema, draft 2020-12): each
sample answer set's canonical data validates, and data broken in typical
ways does not (so the schema is not vacuous)."""
import copy
import json
import os
import subprocess
import sys
import unittest

import jsonschema
from jsonschema import Draft202012Validator

CTL = os.environ["ANTRAGSKIOSK_CTL"]
SRCDIR = os.environ["G_TEST_SRCDIR"]


def ctl(*args):
    return subprocess.run([CTL, *args], capture_output=True, text=True, check=False)


def forms():
    result = ctl("forms")
    assert result.returncode == 0, result.stderr
    return [line.split("\t")[0] for line in result.stdout.splitlines()]


class SchemaTest(unittest.TestCase):
    def load(self, form_id):
        schema_run = ctl("schema", "--form", form_id)
        self.assertEqual(schema_run.returncode, 0, schema_run.stderr)
        schema = json.loads(schema_run.stdout)
        Draft202012Validator.check_schema(schema)
        answers = os.path.join(SRCDIR, "data", "answers", form_id + ".json")
        data_run = ctl("validate", "--form", form_id, "--answers", answers)
        self.assertEqual(data_run.returncode, 0, data_run.stdout + data_run.stderr)
        return schema, json.loads(data_run.stdout)

    def test_samples_validate(self):
        ids = forms()
        self.assertGreaterEqual(len(ids), 5)
        for form_id in ids:
            with self.subTest(form=form_id):
                schema, data = self.load(form_id)
                validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
                errors = list(validator.iter_errors(data))
                self.assertEqual(errors, [], f"{form_id}: " + "; ".join(e.message for e in errors))
                self.assertEqual(schema["$schema"], "https://json-schema.org/draft/2020-12/schema")
                self.assertEqual(data["$schema"], schema["$id"])

    def test_broken_data_rejected(self):
        for form_id in forms():
            with self.subTest(form=form_id):
                schema, data = self.load(form_id)
                validator = Draft202012Validator(schema)
                broken = []
                extra = copy.deepcopy(data)
                extra["data"]["no_such_field"] = "x"
                broken.append(("unknown field", extra))
                wrong_form = copy.deepcopy(data)
                wrong_form["form"]["version"] = "0.0.0-other"
                broken.append(("other version", wrong_form))
                required = schema["properties"]["data"]["required"]
                if required:
                    missing = copy.deepcopy(data)
                    del missing["data"][required[0]]
                    broken.append(("missing " + required[0], missing))
                # A value of the wrong type for the first string and the first number.
                for key, value in data["data"].items():
                    if isinstance(value, str):
                        wrong = copy.deepcopy(data)
                        wrong["data"][key] = 12345
                        broken.append(("number for string " + key, wrong))
                        break
                for key, value in data["data"].items():
                    if isinstance(value, (int, float)) and not isinstance(value, bool):
                        wrong = copy.deepcopy(data)
                        wrong["data"][key] = "zwölf"
                        broken.append(("string for number " + key, wrong))
                        break
                for what, document in broken:
                    self.assertFalse(validator.is_valid(document), f"{form_id}: schema accepts {what}")


if __name__ == "__main__":
    print(f"jsonschema {jsonschema.__version__}", file=sys.stderr)
    unittest.main(verbosity=2)
