"""Korean (and Japanese, Chinese, English) help pages from Debian's documentation packages.

Used by ``bench/corpus.py lid``: the text is fetched at run time with ``apt-get download`` and
unpacked with ``dpkg-deb`` into a cache folder (``$HANJI_CACHE/debian-docs``, else a folder
under the system temp dir); none of it is committed. What is committed is
``tests/data/corpus/lid_labels.jsonl``: one label per page, keyed by (package, path, sha256
of the page file), written by ``python bench/debian_docs.py --write-labels``.

Labelling rule (it looks at no language identifier and at none of hanji's signals): a
translated help page and its English original share their file path. A page's text blocks
(paragraphs, headings, list items, table cells) that also occur verbatim in the English page
at the same path are untranslated, the others translated. The translated share is measured in
UTF-8 bytes, so that a Hangul syllable (3 bytes) weighs about what the 2-3 Latin letters it
replaces do. A page of a Korean package is

- ``ko`` when the translated share is at least 0.5: its running text is Korean, whatever its
  terms, commands and menu names are;
- ``mixed`` from 0.2 to 0.5: a half-translated page, Korean paragraphs between English ones
  (kept by a Korean corpus, but no goal is set on it);
- ``en`` below 0.2: an English page with a Korean title, navigation line or caption.

A page of a Japanese or Chinese package is ``ja``/``zh`` from a share of 0.2 and ``en`` below;
pages of the English package are ``en``. Pages with fewer than 200 characters are left out.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LABELS = ROOT / "tests" / "data" / "corpus" / "lid_labels.jsonl"

# package -> (language, folder of its pages, English package, folder of the English pages)
PACKAGES: dict[str, tuple[str, str, str | None, str | None]] = {
    "libreoffice-help-ko": (
        "ko",
        "usr/share/libreoffice/help/ko",
        "libreoffice-help-en-us",
        "usr/share/libreoffice/help/en-US",
    ),
    "gimp-help-ko": (
        "ko",
        "usr/share/gimp/2.0/help/ko",
        "gimp-help-en",
        "usr/share/gimp/2.0/help/en",
    ),
    "debian-faq-ko": (
        "ko",
        "usr/share/doc/debian/FAQ/ko",
        "debian-faq",
        "usr/share/doc/debian/FAQ",
    ),
    "libreoffice-help-ja": (
        "ja",
        "usr/share/libreoffice/help/ja",
        "libreoffice-help-en-us",
        "usr/share/libreoffice/help/en-US",
    ),
    "libreoffice-help-zh-cn": (
        "zh",
        "usr/share/libreoffice/help/zh-CN",
        "libreoffice-help-en-us",
        "usr/share/libreoffice/help/en-US",
    ),
    "debian-faq-ja": (
        "ja",
        "usr/share/doc/debian/FAQ/ja",
        "debian-faq",
        "usr/share/doc/debian/FAQ",
    ),
    "debian-faq-zh-cn": (
        "zh",
        "usr/share/doc/debian/FAQ/zh-cn",
        "debian-faq",
        "usr/share/doc/debian/FAQ",
    ),
    "libreoffice-help-en-us": ("en", "usr/share/libreoffice/help/en-US", None, None),
}
KOREAN_HELP = ("libreoffice-help-ko", "gimp-help-ko")
"""The Korean help pages of the final comparison (``hanji corpus build`` vs fastText)."""
MIN_CHARS = 200

_BLOCK = {
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "td", "th", "tr", "dt", "dd", "pre",
    "br", "table", "ul", "ol", "dl", "section", "article", "header", "footer", "nav", "aside",
    "title", "blockquote", "caption", "label", "button", "figcaption", "hr",
}  # fmt: skip
_SKIP = {"script", "style", "noscript", "svg", "template"}


class _Text(HTMLParser):
    """Visible text of a page as a list of blocks, the way a crawler's extractor sees it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.current: list[str] = []
        self.skip = 0
        self.pre = 0

    def _flush(self) -> None:
        text = "".join(self.current)
        text = text.strip("\n") if self.pre else " ".join(text.split())
        if text.strip():
            self.blocks.append(text)
        self.current = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skip += 1
        elif tag in _BLOCK:
            self._flush()
            if tag == "pre":
                self.pre += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCK:
            self._flush()
            if tag == "pre":
                self.pre = max(0, self.pre - 1)

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.current.append(data)


def html_blocks(raw: bytes) -> list[str]:
    parser = _Text()
    parser.feed(raw.decode("utf-8", errors="replace"))
    parser.close()
    parser._flush()
    return parser.blocks


def html_text(raw: bytes) -> str:
    return "\n".join(html_blocks(raw))


@dataclass(frozen=True)
class Page:
    package: str
    path: str  # relative to the package's page folder
    sha256: str
    text: str


def cache_dir() -> Path:
    base = os.environ.get("HANJI_CACHE") or os.path.join(tempfile.gettempdir(), "hanji-cache")
    return Path(base) / "debian-docs"


class Unavailable(RuntimeError):
    """apt-get/dpkg-deb missing or the Debian archive unreachable."""


def fetch(packages: list[str], cache: Path | None = None) -> dict[str, Path]:
    """Unpacked root folder of each package (downloaded with apt-get on first use)."""
    cache = cache or cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    if not shutil.which("apt-get") or not shutil.which("dpkg-deb"):
        raise Unavailable(
            "apt-get and dpkg-deb are needed to fetch Debian's documentation packages"
        )
    roots = {}
    for name in packages:
        root = cache / name
        if not (root / ".done").exists():
            debs = cache / "debs"
            debs.mkdir(exist_ok=True)
            found = list(debs.glob(f"{name}_*.deb"))
            if not found:
                run = subprocess.run(
                    ["apt-get", "download", name], cwd=debs, capture_output=True, text=True
                )
                found = list(debs.glob(f"{name}_*.deb"))
                if run.returncode or not found:
                    raise Unavailable(
                        f"apt-get download {name} failed: {run.stderr.strip()[-300:]}"
                    )
            shutil.rmtree(root, ignore_errors=True)
            subprocess.run(["dpkg-deb", "-x", str(found[0]), str(root)], check=True)
            (root / ".done").write_text(found[0].name, encoding="utf-8")
        roots[name] = root
    return roots


def version(root: Path) -> str:
    return (root / ".done").read_text("utf-8").removesuffix(".deb")


def pages(package: str, root: Path) -> Iterator[tuple[str, bytes]]:
    folder = root / PACKAGES[package][1]
    for path in sorted(folder.rglob("*.html")):
        rel = path.relative_to(folder).as_posix()
        if package.startswith("debian-faq") and PACKAGES[package][0] == "en" and ".en." in rel:
            continue
        yield rel, path.read_bytes()


def _english_path(package: str, rel: str) -> str:
    if package.startswith("debian-faq-"):
        return re.sub(r"\.[a-z-]+\.html$", ".en.html", rel)
    return rel


def band(lang: str, share: float) -> str:
    if share < 0.2:
        return "en"
    if lang == "ko" and share < 0.5:
        return "mixed"
    return lang


def label_pages(roots: dict[str, Path]) -> list[dict]:
    """Apply the labelling rule of the module docstring to every page of every package."""
    rows = []
    for package, (lang, _folder, en_pkg, en_folder) in PACKAGES.items():
        for rel, raw in pages(package, roots[package]):
            blocks = html_blocks(raw)
            if sum(len(b) for b in blocks) < MIN_CHARS:
                continue
            label, share = "en", 0.0
            if en_pkg is not None and en_folder is not None:
                en_file = roots[en_pkg] / en_folder / _english_path(package, rel)
                english = set(html_blocks(en_file.read_bytes())) if en_file.exists() else set()
                size = sum(len(b.encode()) for b in blocks)
                share = sum(len(b.encode()) for b in blocks if b not in english) / size
                label = band(lang, share)
            rows.append(
                {
                    "package": package,
                    "path": rel,
                    "sha256": hashlib.sha256(raw).hexdigest(),
                    "label": label,
                    "translated": round(share, 3),
                }
            )
    return rows


def choose(rows: list[dict], seed: int = 20) -> list[dict]:
    """The labelled set: every page of the Debian FAQs, a seeded sample of the help pages,
    and a split in two halves (tune / held-out) by a hash of the key, so no page is placed
    in a half by looking at it; plus a ``fresh`` sample (see below)."""
    rng = random.Random(seed)
    quota = {
        ("libreoffice-help-ko", "ko"): 200,
        ("libreoffice-help-ko", "mixed"): 80,
        ("libreoffice-help-ko", "en"): 120,
        ("gimp-help-ko", "ko"): 40,
        ("gimp-help-ko", "mixed"): 40,
        ("gimp-help-ko", "en"): 80,
        ("libreoffice-help-ja", "ja"): 50,
        ("libreoffice-help-ja", "en"): 20,
        ("libreoffice-help-zh-cn", "zh"): 50,
        ("libreoffice-help-zh-cn", "en"): 20,
        ("libreoffice-help-en-us", "en"): 50,
    }
    groups: dict[tuple[str, str], list[dict]] = {}
    for row in rows:
        groups.setdefault((row["package"], row["label"]), []).append(row)
    chosen = []
    for key, members in sorted(groups.items()):
        members = sorted(members, key=lambda r: r["path"])
        n = quota.get(key, 10**6 if key[0].startswith("debian-faq") else 0)
        chosen += members if n >= len(members) else rng.sample(members, n)
    for row in chosen:
        digest = hashlib.sha256(f"{row['package']}/{row['path']}".encode()).digest()
        row["split"] = "heldout" if digest[0] % 2 else "tune"
    # "fresh": a second sample, same quotas, of help pages in neither half, added after the
    # thresholds were chosen, to check the held-out figures on pages nobody had looked at.
    taken = {(r["package"], r["path"]) for r in chosen}
    fresh_rng = random.Random(seed + 1)
    for key, members in sorted(groups.items()):
        if key[0].startswith("debian-faq"):
            continue
        rest = sorted(
            (r for r in members if (r["package"], r["path"]) not in taken), key=lambda r: r["path"]
        )
        n = min(quota.get(key, 0), len(rest))
        for row in fresh_rng.sample(rest, n):
            chosen.append({**row, "split": "fresh"})
    return sorted(chosen, key=lambda r: (r["package"], r["path"]))


def load_labels() -> list[dict]:
    lines = LABELS.read_text("utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip() and not line.startswith("#")]


def labelled_pages(
    labels: list[dict], roots: dict[str, Path]
) -> tuple[list[tuple[dict, str]], int]:
    """(label row, page text) for every label whose page has the same sha256 here; and how
    many labels matched no page (a newer package version changed them)."""
    by_pkg: dict[str, dict[str, dict]] = {}
    for row in labels:
        by_pkg.setdefault(row["package"], {})[row["path"]] = row
    found, missing = [], 0
    for package, wanted in by_pkg.items():
        folder = roots[package] / PACKAGES[package][1]
        for rel, row in wanted.items():
            file = folder / rel
            raw = file.read_bytes() if file.exists() else b""
            if hashlib.sha256(raw).hexdigest() != row["sha256"]:
                missing += 1
                continue
            found.append((row, html_text(raw)))
    return found, missing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--write-labels", action="store_true", help=f"rewrite {LABELS.name}")
    args = parser.parse_args()
    roots = fetch(list({*PACKAGES, *(v[2] for v in PACKAGES.values() if v[2])}))
    rows = label_pages(roots)
    census = Counter((r["package"], r["label"]) for r in rows)
    for key, n in sorted(census.items()):
        print(f"{key[0]:<24}{key[1]:<4}{n:>6}")
    if args.write_labels:
        chosen = choose(rows)
        versions = ", ".join(sorted(version(roots[p]) for p in PACKAGES))
        head = [
            "# Labels of Debian documentation pages (text not committed; fetched by "
            "bench/debian_docs.py). Rule: see that module's docstring.",
            f"# packages: {versions}",
        ]
        body = [json.dumps(r, ensure_ascii=False) for r in chosen]
        LABELS.write_text("\n".join(head + body) + "\n", encoding="utf-8")
        print(f"wrote {len(chosen)} labels to {LABELS}")


if __name__ == "__main__":
    main()
