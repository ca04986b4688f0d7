"""The GitHub Actions workflows and the contribution files: linted, schema-checked, least privilege.

zizmor and check-jsonschema come from PyPI with everything inside (no download at run time), so
these checks run offline, here and in CI.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
GITHUB = ROOT / ".github"
WORKFLOWS = sorted((GITHUB / "workflows").glob("*.yml"))
BIN = Path(sys.executable).parent  # the venv's scripts, beside its python
# `uses: owner/repo@<commit> # vX.Y.Z`: pinned to a commit, the tag kept for Dependabot.
PINNED = re.compile(r"uses: [\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+(\.\d+)*$")


def _load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text("utf-8"))
    # YAML 1.1 reads the key `on` as true.
    if True in data:
        data["on"] = data.pop(True)
    return data


def _steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


NIGHTLY = _load(GITHUB / "workflows/nightly.yml")
CI = _load(GITHUB / "workflows/ci.yml")


def _run(tool: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / tool), *args], cwd=ROOT, capture_output=True, text=True)


def test_zizmor_finds_nothing() -> None:
    targets = [".github", ".pre-commit-config.yaml"]  # workflows, dependabot.yml, hooks
    result = _run("zizmor", "--offline", "--format", "json", *targets)
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout) == []


@pytest.mark.parametrize(
    ("schema", "files"),
    [
        ("vendor.github-workflows", WORKFLOWS),
        ("custom.github-workflows-require-timeout", WORKFLOWS),
        ("vendor.dependabot", [GITHUB / "dependabot.yml"]),
        ("vendor.github-issue-forms", sorted((GITHUB / "ISSUE_TEMPLATE").glob("*.yml"))),
    ],
)
def test_files_match_their_schema(schema: str, files: list[Path]) -> None:
    assert files
    result = _run("check-jsonschema", "--builtin-schema", schema, *map(str, files))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda path: path.name)
def test_every_action_is_pinned_to_a_commit(path: Path) -> None:
    lines = [line.strip() for line in path.read_text("utf-8").splitlines()]
    uses = [line.removeprefix("- ") for line in lines if re.match(r"(- )?uses:", line)]
    assert uses
    assert [line for line in uses if not PINNED.match(line)] == []


@pytest.mark.parametrize("workflow", [NIGHTLY, CI], ids=["nightly", "ci"])
def test_no_expression_inside_a_script(workflow: dict[str, Any]) -> None:
    # Inputs, titles and outputs reach scripts through env: only, never spliced into the code.
    runs = [step["run"] for step in _steps(workflow) if "run" in step]
    assert runs
    assert [run for run in runs if "${{" in run] == []


@pytest.mark.parametrize("workflow", [NIGHTLY, CI], ids=["nightly", "ci"])
def test_no_checkout_keeps_the_token(workflow: dict[str, Any]) -> None:
    checkouts = [s for s in _steps(workflow) if s.get("uses", "").startswith("actions/checkout@")]
    assert checkouts
    assert all(step["with"]["persist-credentials"] is False for step in checkouts)


@pytest.mark.parametrize("workflow", [NIGHTLY, CI], ids=["nightly", "ci"])
def test_every_job_has_a_timeout(workflow: dict[str, Any]) -> None:
    assert all("timeout-minutes" in job for job in workflow["jobs"].values())


def test_nightly_runs_once_a_day_off_the_hour() -> None:
    (schedule,) = NIGHTLY["on"]["schedule"]
    minute, hour, *rest = schedule["cron"].split()
    assert minute.isdigit() and hour.isdigit() and rest == ["*", "*", "*"]
    # Runs queued at round minutes, :00 above all, are the ones GitHub delays.
    assert int(minute) % 5 != 0


def test_nightly_can_be_started_by_hand_for_a_backfill() -> None:
    inputs = NIGHTLY["on"]["workflow_dispatch"]["inputs"]
    assert {name: (i["type"], i["required"]) for name, i in inputs.items()} == {
        "since": ("string", False),
        "until": ("string", False),
        "gaps": ("boolean", False),
    }
    (step,) = [s for s in _steps(NIGHTLY) if "make nightly" in s.get("run", "")]
    assert step["env"] == {
        "SINCE": "${{ inputs.since }}",
        "UNTIL": "${{ inputs.until }}",
        "GAPS": "${{ inputs.gaps }}",
    }
    # The dates are checked in the script before they reach the command line.
    assert "date_re='^[0-9]{4}-[0-9]{2}-[0-9]{2}$'" in step["run"]
    assert step["run"].count("=~ $date_re") == 2


def test_nightly_jobs_have_least_privilege() -> None:
    assert NIGHTLY["permissions"] == {}
    permissions = {name: job["permissions"] for name, job in NIGHTLY["jobs"].items()}
    assert permissions == {
        "update": {"contents": "write"},  # pushes the content commit
        "deploy": {"pages": "write", "id-token": "write"},
        "report": {},
        "mail": {"contents": "write"},  # pushes the record of digests sent
        "keepalive": {"actions": "write", "contents": "read"},
    }
    assert CI["permissions"] == {"contents": "read"}
    assert all("permissions" not in job for job in CI["jobs"].values())


def test_nightly_runs_never_overlap() -> None:
    assert NIGHTLY["concurrency"]["group"]
    assert NIGHTLY["concurrency"]["cancel-in-progress"] is False


def test_nightly_pushes_and_deploys_what_succeeded_then_fails_naming_the_days() -> None:
    update, deploy, report = (NIGHTLY["jobs"][name] for name in ("update", "deploy", "report"))
    names = [step.get("uses", step.get("run", "")).split("@")[0] for step in update["steps"]]
    assert names[-1] == "actions/upload-pages-artifact"
    assert update["steps"][-1]["with"]["path"] == "site"
    run = "\n".join(step.get("run", "") for step in update["steps"])
    assert run.index("make nightly") < run.index("git push") < run.index("du -sm site")
    assert "build/fetch-failed.txt" in run  # written by make only when the fetch alone failed

    assert deploy["needs"] == "update"
    assert deploy["environment"]["name"] == "github-pages"
    assert deploy["steps"][-1]["uses"].startswith("actions/deploy-pages@")

    assert report["needs"] == ["update", "deploy"]
    assert "needs.update.outputs.fetch-failed == 'true'" in report["if"]
    assert report["steps"][-1]["env"]["FAILED"] == "${{ needs.update.outputs.failed-days }}"
    assert report["steps"][-1]["run"].rstrip().endswith("exit 1")


def test_mail_sends_after_the_deploy_only_with_the_secret_and_keeps_the_record() -> None:
    job = NIGHTLY["jobs"]["mail"]
    assert job["needs"] == ["update", "deploy"]
    assert "needs.deploy.result == 'success'" in job["if"]  # links work; nothing waits on it
    assert job["env"] == {"DPA_SMTP_HOST": "${{ secrets.DPA_SMTP_HOST }}"}
    steps = job["steps"]
    assert steps[0]["if"] == "${{ env.DPA_SMTP_HOST == '' }}"
    assert all(step["if"] == "${{ env.DPA_SMTP_HOST != '' }}" for step in steps[1:4])
    checkout, send, push = steps[1], steps[3], steps[4]
    assert checkout["with"]["ref"] == "${{ github.ref_name }}"  # with the new content commit
    # Every setting from a secret, through env: only, as mail.py reads them.
    names = [name for name in send["env"] if name.startswith("DPA_")]
    smtp = ["DPA_SMTP_PORT", "DPA_SMTP_SECURITY", "DPA_SMTP_USER", "DPA_SMTP_PASSWORD"]
    assert sorted(names) == sorted([*smtp, "DPA_MAIL_FROM", "DPA_MAIL_TO"])
    assert all(send["env"][name] == f"${{{{ secrets.{name} }}}}" for name in names)
    assert 'echo "::add-mask::$address"' in send["run"]
    assert "-m generator mail" in send["run"] and "--format github" in send["run"]
    # The record is pushed whether the send succeeded or failed, and never by a skipped run.
    assert push["if"] == "${{ !cancelled() && steps.send.outcome != 'skipped' }}"
    assert "content/mail-sent.yaml" in push["run"] and "git push" in push["run"]


def test_keepalive_reenables_the_schedule_in_a_quiet_stretch() -> None:
    job = NIGHTLY["jobs"]["keepalive"]
    assert "needs" not in job  # a failed fetch or build cannot stop it
    (step,) = job["steps"]
    assert "-ge 45 ]" in step["run"]
    assert "--method PUT" in step["run"]
    assert "/actions/workflows/${workflow##*/}/enable" in step["run"]


def test_ci_checks_pull_requests_and_main() -> None:
    assert CI["on"] == {"pull_request": None, "push": {"branches": ["main"]}}
    (job,) = CI["jobs"].values()
    assert job["env"] == {"CI": "true", "DPA_CORPUS": "absent"}
    run = "\n".join(step.get("run", "") for step in job["steps"])
    for command in (
        "/usr/bin/chromium",
        "make lint",
        "make test",
        "python -m generator validate --format github",
        "python -m generator build",
        '"$size" -gt 800',
    ):
        assert command in run


def test_make_nightly_is_a_phony_target() -> None:
    makefile = (ROOT / "Makefile").read_text("utf-8")
    assert re.search(r"^\.PHONY:.* nightly\b", makefile, re.MULTILINE)
    assert re.search(r"^nightly:", makefile, re.MULTILINE)
