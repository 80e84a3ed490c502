"""Korean evaluation: bits per character, the neologism probe, multiple-choice tasks, report.

Names are imported on first use, so importing the package — as the CLI does —
does not pull in torch.
"""

from hanji.lazy import lazy_exports

__all__ = lazy_exports(
    __name__,
    {
        "BpcResult": "hanji.evaluate.bpc",
        "bits_per_character": "hanji.evaluate.bpc",
        "score_options": "hanji.evaluate.choice",
        "load_probe": "hanji.evaluate.probe",
        "run_probe": "hanji.evaluate.probe",
        "MCItem": "hanji.evaluate.items",
        "TaskSpec": "hanji.evaluate.sources",
        "load_task": "hanji.evaluate.sources",
        "run_task": "hanji.evaluate.mc",
        "summarize": "hanji.evaluate.mc",
        "SuiteConfig": "hanji.evaluate.suite_run",
        "run_suite": "hanji.evaluate.suite_run",
        "load_suite": "hanji.evaluate.suite_files",
        "write_report": "hanji.evaluate.report",
    },
)
