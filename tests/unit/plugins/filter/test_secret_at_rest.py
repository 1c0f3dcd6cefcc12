import pytest
from ansible_collections.cosops.registry.plugins.filter.secret_at_rest import FilterModule

FILTER = FilterModule().filters()["secret_at_rest"]


@pytest.mark.parametrize(
    "result, phrase",
    [
        ({"encrypted": True, "gitignore": None}, "encrypted with the play's vault secret"),
        (
            {"encrypted": False, "gitignore": "/inv/.registry/.gitignore"},
            "kept out of git by /inv/.registry/.gitignore",
        ),
        ({"skipped": True}, "not written yet"),
        ({}, "not written yet"),
    ],
)
def test_phrase_says_how_the_file_is_kept(result, phrase):
    assert phrase in FILTER(result)
