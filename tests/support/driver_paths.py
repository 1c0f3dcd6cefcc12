"""Storage driver paths from distribution's conformance suite: the ones every driver accepts and refuses."""

VALID_PATHS = [
    "/a",
    "/2",
    "/aa",
    "/a.a",
    "/0-9/abcdefg",
    "/abcdefg/z.75",
    "/abc/1.2.3.4.5-6_zyx/123.z/4",
    "/docker/docker-registry",
    "/123.abc",
    "/abc./abc",
    "/.abc",
    "/a--b",
    "/a-.b",
    "/_.abc",
    "/Docker/docker-registry",
    "/Abc/Cba",
]
INVALID_PATHS = ["", "/", "abc", "123.abc", "//bcd", "/abc_123/"]
