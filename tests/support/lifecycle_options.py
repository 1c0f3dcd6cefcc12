"""A cos_lifecycle rule as Ansible hands it to the module: every suboption present, unset ones None."""


def rule_options(rule_id: str = "r", **given) -> dict:
    rule = {
        "id": rule_id,
        "status": "enabled",
        "filter": None,
        "expiration": None,
        "transitions": None,
        "noncurrent_version_expiration_days": None,
        "noncurrent_version_transitions": None,
        "abort_incomplete_multipart_upload_days": None,
    }
    rule.update(given)
    return rule
