"""The Slurm executor's job scripts, checked the way `sbatch` reads them.

No Slurm here: a stand-in `sbatch` on PATH parses each script as sbatch does (a shebang,
then ``#SBATCH`` directives until the first command; long options only from sbatch's own
list, with their value formats), runs ``bash -n`` on it, keeps it and answers with a job id.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from collections.abc import Callable
from pathlib import Path

from hanji.recipe import Recipe

from .conftest import sample_records, write_jsonl

FAKE_SBATCH = r"""#!{python}
import re, shutil, subprocess, sys
from pathlib import Path
# the long options of sbatch(1) that datatrove and hanji may write
KNOWN = {{"account", "array", "cpus-per-task", "dependency", "error", "export", "gpus",
          "job-name", "mail-type", "mail-user", "mem-per-cpu", "nodes", "output",
          "partition", "qos", "requeue", "time", "constraint", "reservation"}}
FORMATS = {{
    "array": r"\d+-\d+(%\d+)?",
    "time": r"(\d+-)?\d{{1,2}}:\d{{2}}:\d{{2}}",
    "mem-per-cpu": r"\d+[KMGT]?",
    "cpus-per-task": r"[1-9]\d*",
    "nodes": r"[1-9]\d*",
    "dependency": r"(afterok|afterany):\d+(,(afterok|afterany):\d+)*",
}}
def fail(msg):
    print("sbatch: error: " + msg, file=sys.stderr)
    sys.exit(1)
*options, script = sys.argv[1:]
lines = Path(script).read_text().splitlines()
if not lines or not lines[0].startswith("#!"):
    fail("This does not look like a batch script (no #! line)")
directives, commands_started = {{}}, False
for line in lines[1:]:
    text = line.strip()
    if text.startswith("#SBATCH"):
        if commands_started:
            continue  # sbatch ignores directives after the first command: flag them below
        body = text[len("#SBATCH"):].strip()
        m = re.fullmatch(r"--([a-z-]+)(?:=(.*))?", body)
        if not m:
            fail(f"unrecognized directive {{body!r}}")
        directives[m.group(1)] = m.group(2) or ""
    elif text and not text.startswith("#"):
        commands_started = True
for opt in options:
    m = re.fullmatch(r"--([a-z-]+)=(.*)", opt)
    if not m:
        fail(f"unrecognized option {{opt!r}}")
    directives[m.group(1)] = m.group(2)
for name, value in directives.items():
    if name not in KNOWN:
        fail(f"unrecognized option '--{{name}}'")
    if name in FORMATS and not re.fullmatch(FORMATS[name], value):
        fail(f"invalid --{{name}} value {{value!r}}")
if "partition" not in directives:
    fail("no partition")
syntax = subprocess.run(["bash", "-n", script], capture_output=True, text=True)
if syntax.returncode:
    fail("script is not valid bash: " + syntax.stderr)
jobs = Path({jobs!r})
n = len(list(jobs.glob("*.sh"))) + 1001
shutil.copy(script, jobs / f"{{n}}.sh")
(jobs / f"{{n}}.json").write_text(__import__("json").dumps(directives))
print(f"Submitted batch job {{n}}")
"""


def test_slurm_job_scripts_are_what_sbatch_accepts(
    make_recipe: Callable[..., Recipe], tmp_path: Path, monkeypatch
) -> None:
    from hanji.corpus import build_corpus

    jobs, bin_dir = tmp_path / "jobs", tmp_path / "bin"
    jobs.mkdir()
    bin_dir.mkdir()
    sbatch = bin_dir / "sbatch"
    sbatch.write_text(FAKE_SBATCH.format(python=sys.executable, jobs=str(jobs)))
    sbatch.chmod(sbatch.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("HANJI_SLURM_PARTITION", "cpu")
    monkeypatch.setenv("HANJI_SLURM_VENV", sys.prefix)  # a venv folder, as docs/corpus.md says
    monkeypatch.setenv("HANJI_SLURM_SBATCH", json.dumps({"account": "ko-llm"}))

    path = write_jsonl(tmp_path / "in" / "news.jsonl", sample_records("news", 5))
    recipe = make_recipe([{"path": str(path), "domain": "news"}], executor="slurm")
    result = build_corpus(recipe, tmp_path / "out", progress=False)
    assert result["status"] == "submitted"

    submitted = sorted(jobs.glob("*.json"), key=lambda p: int(p.stem))
    assert len(submitted) >= 2  # at least one stage and its stats merge
    ids = {int(p.stem) for p in submitted}
    for meta in submitted:
        directives = json.loads(meta.read_text())
        assert directives["partition"] == "cpu" and directives["account"] == "ko-llm"
        for dep in filter(None, directives.get("dependency", "").split(",")):
            assert int(dep.split(":")[1]) in ids  # chained on jobs that were really submitted
        script = meta.with_suffix(".sh").read_text()
        # the job activates the venv through its activate script, not the folder
        assert f"source {Path(sys.prefix) / 'bin' / 'activate'}" in script
        command = script.strip().splitlines()[-1].split()
        assert command[0] in ("srun", "merge_stats")
        tool = "launch_pickled_pipeline" if command[0] == "srun" else "merge_stats"
        assert (Path(sys.prefix) / "bin" / tool).is_file()  # what the job runs is installed
        if tool == "launch_pickled_pipeline":
            assert Path(command[-1]).is_file()  # the pickled stage it loads
    stages = [p for p in submitted if "srun" in p.with_suffix(".sh").read_text()]
    assert all("dependency" in json.loads(p.read_text()) for p in stages[1:])  # chained
