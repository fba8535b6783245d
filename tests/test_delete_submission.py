# SPDX-License-Identifier: GPL-3.0-or-later
"""The Zustelldienst deletes a submitted application before the authority
fetched it (issue #14): its `delete-submission` event, issued and signed by
the Zustelldienst (checked with the platform's /.well-known/jwks.json),
ends polling with the queue state `deleted`, shown by `queue list`,
`queue status` and `status --json`; a delete-submission that does not
verify with the Zustelldienst's keys is ignored with a warning. Real
programs against the local platform (tests/platform/), its request log as
the witness that polling stopped."""
import json
import re
import time
import unittest

from test_destinations import DestinationTest


class DeleteSubmissionTest(DestinationTest):
    def delete(self, case, signer="platform"):
        return self.platform.admin("POST", "cases/%s/delete" % case, {"signer": signer})

    def event_reads(self, case):
        return [r for r in self.platform.requests()
                if r["method"] == "GET" and r["path"] == "/v1/cases/%s/events" % case]

    def submitted(self):
        self.destinations("--refresh")
        reference = self.submit().stdout.strip()
        self.sync()
        item = self.queue()[0]
        self.assertEqual(item["state"], "submitted")
        return reference, self.case_of(item)

    def test_deleted_ends_polling(self):
        self.start()
        reference, case = self.submitted()
        self.assertEqual(self.delete(case)["status"], "deleted")
        self.platform.reset_log()
        time.sleep(1.2)                               # status_poll_s = 1
        result = self.sync()
        self.assertEqual(len(self.event_reads(case)), 1, result.stderr)
        item = self.queue()[0]
        self.assertEqual(item["state"], "deleted", result.stdout + result.stderr)
        self.assertIn("Zustelldienst deleted the submission", item["last_error"])
        self.assertIn("apply again", item["last_error"])
        self.assertNotIn("rejected 1", result.stdout)
        self.assertIn("; deleted by the platform 1", result.stdout)
        self.assertIn("deleted by the Zustelldienst before the authority fetched it", result.stderr)
        # every place a state reaches
        listed = self.ctl("queue", "list", "--state", "deleted")
        self.assertEqual(listed.returncode, 0, listed.stderr)
        self.assertIn("deleted", listed.stdout)
        self.assertIn(reference[:5], listed.stdout.replace("-", ""))
        status_text = self.ctl("queue", "status").stdout
        self.assertRegex(status_text, r"(?m)^\s+deleted\s+1\s+\(never delivered: the applicant must apply again")
        self.assertRegex(status_text, r"(?m)^\s+rejected\s+0$")
        queue_json = json.loads(self.ctl("queue", "status", "--json").stdout)
        self.assertEqual((queue_json["by_state"]["deleted"], queue_json["by_state"]["submitted"]), (1, 0))
        status = json.loads(self.ctl("status", "--json").stdout)
        self.assertEqual(status["queue"]["by_state"]["deleted"], 1)
        self.assertEqual(status["queue"]["by_state"]["rejected"], 0)
        self.assertRegex(self.ctl("status").stdout, r"(?m)^Queue:.* rejected 0 .*deleted 1")
        # polling has stopped: later passes never read its event log again
        self.platform.reset_log()
        time.sleep(2.5)
        self.sync()
        self.sync()
        self.assertEqual(self.event_reads(case), [])
        self.assertEqual(self.queue()[0]["state"], "deleted")

    def test_forged_delete_is_ignored(self):
        self.start()
        reference, case = self.submitted()
        # signed with a key the Zustelldienst does not publish, with the
        # authority's key, and with the platform's kid but a broken signature
        self.delete(case, signer="unknown")
        self.delete(case, signer="destination")
        self.platform.admin("POST", "cases/%s/forged-event" % case, {"type": "delete-submission"})
        self.platform.reset_log()
        time.sleep(1.2)
        result = self.sync()
        self.assertEqual(len(self.event_reads(case)), 1, result.stderr)
        self.assertEqual(self.queue()[0]["state"], "submitted")
        warnings = re.findall(r"warning: %s: an event whose signature does not verify with the platform's keys "
                              r"in the event log ignored" % reference.replace("-", ""), result.stderr)
        self.assertEqual(len(warnings), 3, result.stderr)
        # still polled; the Zustelldienst's own deletion counts
        self.delete(case)
        time.sleep(2.5)
        self.sync()
        self.assertEqual(self.queue()[0]["state"], "deleted")


def load_tests(loader, standard_tests, pattern):
    """Only this module's tests, not those of the class it builds on."""
    return unittest.TestSuite(DeleteSubmissionTest(name) for name in ("test_deleted_ends_polling",
                                                                     "test_forged_delete_is_ignored"))


if __name__ == "__main__":
    unittest.main()
