"""Several exports of one search (Web of Science gives 500 or 1,000 records a file) read as one import.

Each file is read on its own (its errors name its own lines); when every file reads, their rows become one
result, a paper found in two files (by its normalised id: DOI case and resolver prefix ignored) counted once.
"""

from __future__ import annotations

import hashlib

import pandas as pd

from kpi.ingest.ids import normalise_id
from kpi.ingest.importer import ImportResult, Problem, paper_summary


def combine(results: list[ImportResult]) -> ImportResult:
    """One result from several read files; not ok (with each file's errors named by file) if any failed."""
    if len(results) == 1:
        return results[0]
    first = results[0]
    names = " + ".join(r.file_name for r in results)
    combined = ImportResult(dataset=first.dataset, file_name=names, encoding=first.encoding, source=first.source,
                            header=first.header, header_line=first.header_line, mapping=dict(first.mapping),
                            layout=first.layout, delimiter=first.delimiter,
                            sha256=hashlib.sha256("".join(r.sha256 for r in results).encode()).hexdigest(),
                            records=sum(r.records for r in results),
                            exported=next((r.exported for r in results if r.exported), ""))
    for result in results:
        combined.errors += [_named(p, result.file_name) for p in result.errors]
        combined.warnings += [_named(p, result.file_name) for p in result.warnings]
    if combined.errors or any(r.frame is None for r in results):
        return combined
    frame = pd.concat([r.frame for r in results])
    if first.dataset == "papers":
        frame, dropped = _deduplicated(frame)
        if dropped:
            combined.warnings.append(Problem("imp.duplicates_across_files",
                                             params={"n": f"{dropped:,}", "files": f"{len(results):,}"}))
        combined.summary = {**paper_summary(frame.reset_index(drop=True)), "without_country_lines": []}
    combined.frame = frame.reset_index(drop=True).set_axis(range(1, len(frame) + 1))
    return combined


def _deduplicated(frame: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    keys = frame["id"].map(normalise_id)
    repeated = keys.duplicated() & keys.ne("")
    return frame[~repeated.to_numpy()], int(repeated.sum())


def _named(problem: Problem, file_name: str) -> Problem:
    """The file a problem is in, before its line: 'part2.txt, line 40'."""
    problem.params = {**problem.params, "file": file_name}
    if problem.column is not None:
        problem.column = f"{file_name}: {problem.column}"
    else:
        problem.column = file_name
    return problem
