"""What the collection tests share: a registry's bucket on the emulator, registries written into it, distribution v3's
own collector and registry run as local processes against it, and registry_garbage_collect run as its own process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import yaml
from ansible_collections.cosops.registry.plugins.module_utils._driver.driver import CosDriver, DriverConfig
from ansible_collections.cosops.registry.plugins.module_utils._rules.gc_stock_output import stock_gc_output

from emulator import clients
from tests.collection_path import COLLECTIONS_DIR
from tests.support import processes, registry

BUCKET = "gc-1250000000"
REGION = "ap-guangzhou"
ROOT_DIRECTORY = "/registry"
MODULE = "ansible_collections.cosops.registry.plugins.modules.registry_garbage_collect"
STOCK_TIMEOUT = 600
MODULE_TIMEOUT = 600
# Part size of the writes: a blob above it is stored with a multipart upload, as the registry stores large layers.
PART = 5 * 1024 * 1024


@dataclass
class Storage:
    """A registry's storage on the emulator: the driver over it, and distribution's configuration for it."""

    emulator_url: str
    keys: tuple
    directory: Path
    bucket: str = BUCKET
    root: str = ROOT_DIRECTORY

    @property
    def driver(self) -> CosDriver:
        parameters = {
            "secretid": self.keys[0],
            "secretkey": self.keys[1],
            "region": REGION,
            "bucket": self.bucket,
            "endpoint": self.emulator_url,
            "rootdirectory": self.root,
            "chunksize": PART,
            "maxconcurrency": 16,
        }
        return CosDriver(DriverConfig.from_parameters(parameters))

    def registry_config(self, port: int | None = None, readonly: bool = False, cache: str = "") -> dict:
        storage, _proxy = registry.emulated_s3_storage(3, self.emulator_url, self.bucket, REGION, self.keys, self.root)
        config = registry.registry_config(storage, port or processes.free_port(), redirect=False, cache=cache)
        config["storage"]["maintenance"]["readonly"] = {"enabled": readonly}
        return config

    def write(self, objects: dict, large: set = frozenset()) -> None:
        """Objects (driver path -> content) written as the registry writes them; `large` with multipart uploads."""
        driver = self.driver

        def put(item):
            path, content = item
            if path in large:
                with driver.writer(path) as writer:
                    writer.write(content)
                    writer.commit()
            else:
                driver.put_content(path, content)

        with ThreadPoolExecutor(16) as pool:
            list(pool.map(put, objects.items()))

    def keys_now(self) -> set:
        """Driver paths of every object of the registry's tree."""
        found = set()
        self.driver.walk("/docker/registry/v2", lambda info: None if info.is_dir else found.add(info.path))
        return found

    def stock_command(self, delete_untagged: bool, dry_run: bool = True) -> tuple[list, dict]:
        """argv and environment of distribution v3's `registry garbage-collect` on this storage."""
        config_path = self.directory / f"stock-config{self.root.replace('/', '-')}.yml"
        config_path.write_text(yaml.safe_dump(self.registry_config()))
        command = [registry.registry_binary(3), "garbage-collect"]
        command += ["--dry-run"] * dry_run + ["--delete-untagged"] * delete_untagged + [str(config_path)]
        return command, registry.registry_environment(proxy=self.emulator_url)

    def stock(self, delete_untagged: bool, dry_run: bool = True) -> dict:
        """distribution v3's `registry garbage-collect` on this storage, read back by the collection's own reader."""
        command, environment = self.stock_command(delete_untagged, dry_run)
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=STOCK_TIMEOUT, env=environment, check=False
        )
        assert done.returncode == 0, f"registry garbage-collect failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        return stock_gc_output(done.stdout, done.stderr)

    def module(self, check_mode: bool = False, diff: bool = False, **arguments) -> dict:
        """registry_garbage_collect in a process of its own, as Ansible runs it; its result."""
        return run_module(self.module_arguments(**arguments), self.directory, check_mode, diff)

    def module_arguments(self, **arguments) -> dict:
        return {
            "secret_id": self.keys[0],
            "secret_key": self.keys[1],
            "region": REGION,
            "cos_endpoint": self.emulator_url,
            "bucket": self.bucket,
            "rootdirectory": self.root,
            **arguments,
        }


def module_command(arguments: dict, directory: Path, check_mode: bool = False, diff: bool = False) -> tuple[list, dict]:
    """argv and environment that run registry_garbage_collect with `arguments`, as Ansible runs a module."""
    file = directory / "module-arguments.json"
    internal = {"_ansible_check_mode": check_mode, "_ansible_diff": diff}
    file.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": {**arguments, **internal}}))
    return [sys.executable, "-m", MODULE, str(file)], dict(os.environ, PYTHONPATH=COLLECTIONS_DIR)


def run_module(arguments: dict, directory: Path, check_mode: bool = False, diff: bool = False) -> dict:
    command, environment = module_command(arguments, directory, check_mode, diff)
    done = subprocess.run(command, capture_output=True, text=True, timeout=MODULE_TIMEOUT, env=environment, check=False)
    try:
        return json.loads(done.stdout)
    except ValueError:
        raise AssertionError(f"the module printed no result:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}") from None


def new_storage(emulator, directory: Path) -> Storage:
    """A fresh bucket on the (emptied) emulator, with the account's root keys."""
    keys = (emulator.iam.root_secret_id, emulator.iam.root_secret_key)
    clients.cos_client(emulator.url, *keys).create_bucket(Bucket=BUCKET)
    return Storage(emulator.url, keys, directory)
