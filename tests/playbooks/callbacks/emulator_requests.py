# Copyright (c) cosops.registry contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The emulator's requests of every task of a run, from its counters read when each task starts and when the run ends.

Tasks run one at a time on one host each, so the difference between two readings is the task's own.
"""

from __future__ import annotations

import json
import os
import urllib.request
from collections import Counter

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = r"""
name: emulator_requests
type: aggregate
short_description: Requests the emulator counted for each task
description:
  - Writes [{task, action, operations}] to the file named by EMULATOR_REQUESTS_FILE, from the counters at
    EMULATOR_CONTROL_URL.
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "emulator_requests"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self.counters_url = os.environ["EMULATOR_CONTROL_URL"] + "/counters"
        self.output = os.environ["EMULATOR_REQUESTS_FILE"]
        self.tasks = []
        self.current = None

    def operations(self) -> Counter:
        with urllib.request.urlopen(self.counters_url, timeout=30) as answer:
            return Counter(json.load(answer)["operations"])

    def close_task(self) -> None:
        if self.current is not None:
            task, action, before = self.current
            self.tasks.append({"task": task, "action": action, "operations": dict(self.operations() - before)})
        self.current = None

    def v2_playbook_on_task_start(self, task, is_conditional):
        self.close_task()
        self.current = (task.get_name(), task.action, self.operations())

    def v2_playbook_on_handler_task_start(self, task):
        self.v2_playbook_on_task_start(task, False)

    def v2_playbook_on_stats(self, stats):
        self.close_task()
        with open(self.output, "w", encoding="utf-8") as output:
            json.dump(self.tasks, output, indent=1)
