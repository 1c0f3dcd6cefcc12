"""Helpers tests share: clients for the emulator, OCI images, a docker-registry process."""
