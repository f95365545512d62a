"""The deployment files (deploy/), checked without a container engine: the validators
``./dev lint`` runs (kubernetes-validate, check-jsonschema with the compose schema,
hadolint), every setting they name is one Proeftuin reads, the Temporal images are the
version ``proeftuin up`` embeds, and every command they run is a command that works."""

from __future__ import annotations

import asyncio
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from temporalio.testing import WorkflowEnvironment

from service.operations.heartbeat import heartbeat_path
from service.settings import Settings
from service.temporal import connect, find_executable
from tests.processes import ServiceProcess, free_port

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
BASE = DEPLOY / "kubernetes" / "base"
BIN = Path(sys.executable).parent
KUBERNETES_VERSION = "1.33.0"


def tool(name: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / name), *args], capture_output=True, text=True, timeout=120)


def manifests() -> list[dict]:
    return [
        document
        for path in sorted(BASE.glob("*.yaml"))
        if path.name != "kustomization.yaml"
        for document in yaml.safe_load_all(path.read_text())
        if document
    ]


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def dockerfile_json(instruction: str) -> list[str]:
    """The JSON arguments of the last ENTRYPOINT, CMD or HEALTHCHECK ... CMD."""
    import json

    found = re.findall(
        rf"^{instruction}\b.*?(\[.*\])\s*$", (DEPLOY / "Dockerfile").read_text(), re.M
    )
    return json.loads(found[-1])


def proeftuin_commands() -> list[list[str]]:
    """Every command line the deployment files give the Proeftuin image."""
    entrypoint = dockerfile_json("ENTRYPOINT")
    assert entrypoint == ["proeftuin"]
    commands = [dockerfile_json("CMD"), dockerfile_json("HEALTHCHECK")[1:]]
    for service in compose()["services"].values():
        if "build" in service:  # our image
            commands.append(service["command"])
    for manifest in manifests():
        spec = manifest.get("spec", {})
        pod = spec.get("template", {}).get("spec", {})
        for container in pod.get("containers", []):
            assert container["image"] == "proeftuin"
            commands.append(container["args"])
            for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
                if "exec" in container.get(probe, {}):
                    command = container[probe]["exec"]["command"]
                    assert command[0] == "proeftuin"
                    commands.append(command[1:])
    return commands


def test_the_validators_pass_offline():
    kubernetes = tool(
        "kubernetes-validate", "--strict", "--quiet", "-k", KUBERNETES_VERSION,
        *(str(p) for p in sorted(BASE.glob("*.yaml")) if p.name != "kustomization.yaml"),
    )  # fmt: skip
    assert kubernetes.returncode == 0, kubernetes.stdout + kubernetes.stderr
    schema = tool(
        "check-jsonschema", "--builtin-schema", "vendor.compose-spec", str(DEPLOY / "compose.yaml")
    )
    assert schema.returncode == 0, schema.stdout + schema.stderr
    hadolint = tool("hadolint", str(DEPLOY / "Dockerfile"))
    assert hadolint.returncode == 0, hadolint.stdout + hadolint.stderr


def test_the_kustomize_base_lists_each_manifest_and_holds_what_production_needs():
    kustomization = yaml.safe_load((BASE / "kustomization.yaml").read_text())
    listed = set(kustomization["resources"])
    assert listed == {p.name for p in BASE.glob("*.yaml")} - {"kustomization.yaml"}
    kinds = sorted((m["kind"], m["metadata"]["name"]) for m in manifests())
    for needed in [
        ("Deployment", "proeftuin-api"), ("Deployment", "proeftuin-worker"),
        ("Job", "proeftuin-migrate"), ("Job", "proeftuin-temporal-namespace"),
        ("Service", "proeftuin-api"), ("HorizontalPodAutoscaler", "proeftuin-api"),
        ("PodDisruptionBudget", "proeftuin-api"), ("ConfigMap", "proeftuin"),
        ("Secret", "proeftuin"), ("Ingress", "proeftuin"),
    ]:  # fmt: skip
        assert needed in kinds
    [ingress] = [m for m in manifests() if m["kind"] == "Ingress"]
    assert ingress["spec"]["tls"][0]["secretName"]
    by_name = {m["metadata"]["name"]: m for m in manifests() if m["kind"] == "Deployment"}
    [api] = by_name["proeftuin-api"]["spec"]["template"]["spec"]["containers"]
    assert api["livenessProbe"]["httpGet"]["path"] == "/api/health"  # no database
    assert api["readinessProbe"]["httpGet"]["path"] == "/api/ready"
    [worker] = by_name["proeftuin-worker"]["spec"]["template"]["spec"]["containers"]
    assert worker["livenessProbe"]["exec"]["command"][:2] == ["proeftuin", "healthcheck"]
    for deployment in by_name.values():
        for container in deployment["spec"]["template"]["spec"]["containers"]:
            assert container["resources"]["requests"]


def test_every_setting_in_the_files_is_one_proeftuin_reads():
    known = {f"PROEFTUIN_{name.upper()}" for name in Settings.model_fields}
    named = set()
    for manifest in manifests():
        named |= set(manifest.get("data", {})) | set(manifest.get("stringData", {}))
    named |= set(compose()["x-proeftuin"]["environment"])
    named |= set(re.findall(r"PROEFTUIN_[A-Z_]+", (DEPLOY / "Dockerfile").read_text()))
    assert named - known == set()
    assert "PROEFTUIN_FORWARDED_ALLOW_IPS" in named
    environment = compose()["x-proeftuin"]["environment"]
    assert environment["PROEFTUIN_SMTP_HOST"] == "${PROEFTUIN_SMTP_HOST:-mailpit}"
    assert "mailpit" in compose()["services"]


def test_the_temporal_images_are_the_version_up_embeds():
    version = subprocess.run(
        [find_executable("temporal"), "--version"], capture_output=True, text=True, check=True
    ).stdout
    server = re.search(r"Server (\d+\.\d+\.\d+)", version)
    assert server is not None, version
    services = compose()["services"]
    for name in ("temporal", "temporal-schema"):
        assert services[name]["image"].split(":")[1] == server.group(1), name


@pytest.mark.parametrize("command", sorted({shlex.join(c[:1]) for c in proeftuin_commands()}))
def test_every_command_in_the_files_exists(command):
    answer = subprocess.run(
        [sys.executable, "-m", "service.cli", *shlex.split(command), "--help"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert answer.returncode == 0, answer.stdout + answer.stderr


async def cli(env: dict[str, str], *args: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "service.cli", *args, env={**os.environ, **env},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    output, errors = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode is not None
    return process.returncode, output.decode() + (errors.decode() if process.returncode else "")


async def test_migrate_create_namespace_worker_and_api_run_as_the_files_run_them(
    database_url, tmp_path
):
    server = await WorkflowEnvironment.start_local(
        dev_server_existing_path=find_executable("temporal"), port=free_port()
    )
    try:
        env = {
            "PROEFTUIN_DATA_DIR": str(tmp_path / "data"),
            "PROEFTUIN_DATABASE_URL": database_url,
            "PROEFTUIN_TEMPORAL_ADDRESS": server.client.service_client.config.target_host,
            "PROEFTUIN_TEMPORAL_NAMESPACE": "proeftuin",
            "PROEFTUIN_HTTP_PORT": str(free_port()),
        }
        assert await cli(env, "migrate") == (0, "database is up to date\n")
        code, output = await cli(env, "create-namespace", "--retention-days", "30")
        assert (code, output) == (0, "created the namespace 'proeftuin' (retention 30 days)\n")
        assert await cli(env, "create-namespace") == (0, "the namespace 'proeftuin' exists\n")
        await connect(env["PROEFTUIN_TEMPORAL_ADDRESS"], "proeftuin")  # it is there

        heartbeat = heartbeat_path(tmp_path / "data")
        code, output = await cli(env, "healthcheck", "--process", "worker")
        assert code == 1 and "heartbeat" in output  # no worker yet
        worker = await ServiceProcess(["worker"], env, tmp_path / "worker.log").start()
        try:
            for _ in range(600):
                if heartbeat.exists():
                    break
                await asyncio.sleep(0.1)
            assert await cli(env, "healthcheck", "--process", "worker") == (0, "worker: alive\n")
        finally:
            assert await worker.stop(signal.SIGTERM) == 0
        heartbeat.write_text(f"{time.time() - 3600:.0f}\n")  # an hour without a beat
        assert (await cli(env, "healthcheck", "--process", "worker"))[0] == 1

        api = await ServiceProcess(["api"], env, tmp_path / "api.log").start()
        try:
            await api.wait_healthy(int(env["PROEFTUIN_HTTP_PORT"]))
            assert await cli(env, "healthcheck", "--process", "api") == (0, "api: alive\n")
        finally:
            assert await api.stop(signal.SIGTERM) == 0
        assert (await cli(env, "healthcheck", "--process", "api"))[0] == 1
    finally:
        await server.shutdown()
