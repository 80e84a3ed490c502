"""Verification: walk the chain and name the first edited, deleted, inserted or reordered record.

`verify_log` checks a log in the database (and its signed checkpoints); `verify_jsonl` checks
an export's own chain, offline.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from hanji.audit.chain import GENESIS, StoredRecord, record_hash
from hanji.audit.log import AuditLog
from hanji.audit.signing import Checkpoint, checkpoint_message, key_id


@dataclass(frozen=True)
class Verdict:
    ok: bool
    records: int
    checkpoints: int
    first_bad: int | None = None
    reason: str = ""
    request_id: str | None = None
    warnings: tuple[str, ...] = ()
    uncovered: int = 0
    """Records after the last signed checkpoint: deleting them would go unseen (unless an
    external sink's checkpoints are checked too)."""

    def message(self) -> str:
        if self.ok:
            text = (
                f"audit log intact: {self.records} records, {self.checkpoints} signed checkpoints"
            )
            if self.uncovered:
                text += (
                    f"\n{self.uncovered} records after the last signed checkpoint are not yet "
                    "covered by a signature"
                )
            return text + "".join(f"\nwarning: {w}" for w in self.warnings)
        what = f"record seq {self.first_bad}"
        if self.request_id:
            what += f" (request {self.request_id})"
        return f"audit log broken at {what}: {self.reason}"


def _check_signature(cp: Checkpoint, keys: dict[str, Ed25519PublicKey]) -> str | None:
    public = keys.get(cp.key_id)
    if public is None:
        return f"checkpoint at seq {cp.seq} is signed by an unknown key {cp.key_id}"
    try:
        public.verify(
            bytes.fromhex(cp.signature), checkpoint_message(cp.seq, cp.hash, cp.time, cp.key_id)
        )
    except (InvalidSignature, ValueError):
        return f"checkpoint at seq {cp.seq} has an invalid signature"
    return None


def verify(
    records: Iterable[StoredRecord],
    checkpoints: Sequence[Checkpoint] = (),
    public_keys: Sequence[Ed25519PublicKey] = (),
) -> Verdict:
    """Walk the chain in position order; the verdict names the first bad record.

    Without public keys the chain is still checked, but checkpoints are not, which a
    warning says: someone who rewrote every hash from some record on would go unseen.
    """
    keys = {key_id(k): k for k in public_keys}
    by_seq = {cp.seq: cp for cp in checkpoints}
    bad: list[tuple[int, str, str | None]] = []
    warnings: list[str] = []
    if checkpoints and not keys:
        warnings.append("checkpoint signatures not checked: no public key given")
    elif keys:
        for cp in checkpoints:
            problem = _check_signature(cp, keys)
            if problem:
                bad.append((cp.seq, problem, None))
    prev_hash: str | None = None
    expected: int | None = None
    count = 0
    last_seq = 0
    for row in records:
        count += 1
        request_id = None
        try:
            data = json.loads(row.data)
            if not isinstance(data, dict):
                raise ValueError
            request_id = data.get("request_id")
        except ValueError:
            bad.append((row.seq, "its content is not a JSON record (edited)", None))
            break
        if expected is None:  # the first record: the genesis, or a checkpoint's record
            if row.seq == 1:
                prev_hash = GENESIS
            elif (row.seq - 1) in by_seq:
                prev_hash = by_seq[row.seq - 1].hash
            else:
                bad.append(
                    (
                        row.seq,
                        f"records before seq {row.seq} are missing and no signed checkpoint "
                        "anchors where the log starts (deleted)",
                        request_id,
                    )
                )
                break
        elif row.seq != expected:
            bad.append(
                (
                    row.seq,
                    f"the record before it (seq {expected}) is missing (deleted)",
                    request_id,
                )
            )
            break
        if data.get("seq") != row.seq:
            bad.append(
                (
                    row.seq,
                    f"it sits at position {row.seq} but was sealed as seq {data.get('seq')} "
                    "(moved, inserted or reordered)",
                    request_id,
                )
            )
            break
        if record_hash(data) != row.hash:
            bad.append((row.seq, "its content does not match its hash (edited)", request_id))
            break
        if data.get("prev_hash") != prev_hash:
            bad.append(
                (
                    row.seq,
                    f"it does not follow seq {row.seq - 1}: that record was rewritten, or a "
                    "record was inserted, deleted or reordered between them",
                    request_id,
                )
            )
            break
        cp = by_seq.get(row.seq)
        if cp is not None and cp.hash != row.hash:
            bad.append(
                (
                    row.seq,
                    "it differs from the signed checkpoint at its seq (rewritten)",
                    request_id,
                )
            )
            break
        prev_hash = row.hash
        expected = row.seq + 1
        last_seq = row.seq
    else:
        beyond = [cp.seq for cp in checkpoints if cp.seq > last_seq]
        if count and beyond:
            bad.append(
                (
                    last_seq + 1,
                    f"the log ends at seq {last_seq} but a signed checkpoint covers seq "
                    f"{max(beyond)} (records at the end were deleted)",
                    None,
                )
            )
        if not count and checkpoints:
            warnings.append("no records left (all pruned?); only checkpoints were checked")
    if bad:
        seq, reason, request_id = min(bad, key=lambda b: b[0])
        return Verdict(False, count, len(checkpoints), seq, reason, request_id, tuple(warnings))
    covered = max((cp.seq for cp in checkpoints), default=0)
    uncovered = max(0, last_seq - max(covered, last_seq - count))
    return Verdict(True, count, len(checkpoints), warnings=tuple(warnings), uncovered=uncovered)


def merge_sink(
    stored: Sequence[Checkpoint], external: Sequence[Checkpoint]
) -> tuple[list[Checkpoint], list[tuple[int, str, str | None]]]:
    """The database's checkpoints and an external sink's, as one list; a checkpoint the two
    disagree on (same seq, another hash) is a problem named by its seq."""
    by_seq = {cp.seq: cp for cp in stored}
    problems: list[tuple[int, str, str | None]] = []
    for cp in external:
        mine = by_seq.get(cp.seq)
        if mine is None:
            by_seq[cp.seq] = cp  # deleted from the database, or pruned with its records
        elif mine.hash != cp.hash or mine.signature != cp.signature:
            problems.append(
                (cp.seq, "the database's checkpoint differs from the external sink's", None)
            )
    return [by_seq[s] for s in sorted(by_seq)], problems


def verify_log(
    log_: AuditLog,
    public_keys: Sequence[Ed25519PublicKey] = (),
    sink: Sequence[Checkpoint] = (),
) -> Verdict:
    """The chain in the database, against its checkpoints and those of an external sink.

    Checkpoints of the sink that anchor records already pruned are only checked for their
    signature; one beyond the last record means records at the end were deleted.
    """
    stored = log_.checkpoints()
    checkpoints, problems = merge_sink(stored, sink)
    verdict = verify(log_.records(), checkpoints, public_keys)
    if problems and (verdict.ok or problems[0][0] < (verdict.first_bad or 0)):
        seq, reason, _ = problems[0]
        return Verdict(False, verdict.records, verdict.checkpoints, seq, reason)
    return verdict


def verify_jsonl(lines: Iterable[str]) -> Verdict:
    """An export's own chain: each line's hash, and its link to the line before.

    The first line's ``prev_hash`` is taken on trust (it links to a record outside the
    export); compare it with the full log or a checkpoint to close that gap.
    """
    rows: list[StoredRecord] = []
    for line in lines:
        if line.strip():
            data = json.loads(line)
            digest = str(data.pop("hash", ""))
            rows.append(StoredRecord(int(data.get("seq", 0)), json.dumps(data), digest))
    if not rows:
        return Verdict(True, 0, 0)
    anchor = json.loads(rows[0].data).get("prev_hash", GENESIS)
    start = [Checkpoint(rows[0].seq - 1, anchor, "", "", "")] if rows[0].seq > 1 else []
    v = verify(rows, start, ())
    return Verdict(v.ok, v.records, 0, v.first_bad, v.reason, v.request_id)
