"""Which generation of distribution an image runs: only an explicit 2.x tag means 2."""

import pytest
from ansible_collections.cosops.registry.plugins.module_utils._rules.registry_image import image_generation
from ansible_collections.cosops.registry.plugins.module_utils._rules.validation import ValidationError


@pytest.mark.parametrize(
    "image, generation",
    [
        ("registry:2", "2"),
        ("registry:2.8.3", "2"),
        ("docker.io/library/registry:v2.8", "2"),
        ("registry:2@sha256:" + "3" * 64, "2"),
        ("registry:3", "3"),
        ("registry:3.0.0", "3"),
        ("ghcr.io/example/registry-cos:v3.1.2-cos", "3"),
    ],
)
def test_the_major_version_of_the_tag_is_the_generation(image, generation):
    assert image_generation(image) == generation


@pytest.mark.parametrize(
    "image",
    [
        "registry:latest",
        "registry",
        "registry@sha256:" + "2" * 64,
        "mirror.example.com:5000/library/registry",
        "mirror.example.com:5000/library/registry:edge",
    ],
)
def test_a_tag_without_a_version_is_the_current_generation(image):
    assert image_generation(image) == "3"


@pytest.mark.parametrize("version", ["2", 2, " 2 "])
def test_a_given_version_wins_over_the_tag(version):
    assert image_generation("registry:latest", version) == "2"
    assert image_generation("registry:3.0.0", version) == "2"


@pytest.mark.parametrize("empty", ["", None])
def test_an_empty_version_reads_the_tag(empty):
    assert image_generation("registry:2.8.3", empty) == "2"


def test_a_tag_of_another_major_version_is_refused_naming_the_image():
    with pytest.raises(
        ValidationError,
        match=r"^Image 'registry:4.0.0' has a tag of major version 4, .* set registry_distribution_version to 2 or 3\.$",
    ):
        image_generation("registry:4.0.0")


def test_a_given_version_other_than_2_or_3_is_refused():
    with pytest.raises(ValidationError, match=r"^registry_distribution_version '4' must be 2 or 3\.$"):
        image_generation("registry:3", "4")
