"""Point the course at one GitHub repository: rewrite every Binder and Colab link and the Colab install cell.

    python tools/set_repository.py OWNER/NAME     # a fork: change the setting, then every address
    python tools/set_repository.py                # bring every address in line with the current setting
    python tools/set_repository.py --check        # exit 1 if any address differs from the setting

The one setting is ``[project.urls] Repository`` in ``pyproject.toml`` (``https://github.com/OWNER/NAME``).
The addresses built from it live in README.md, INSTRUCTORS.md, every notebook (``notebooks/**/*.ipynb``,
whose first cell installs the package on Colab from ``git+https://github.com/OWNER/NAME``) and the plain-text
lesson sources ``lessons/*.py``. Files are rewritten as text, so nothing but the addresses changes.
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FILE_PATTERNS = ("README.md", "INSTRUCTORS.md", "notebooks/**/*.ipynb", "lessons/*.py")
_OWNER = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})"
_NAME = r"[A-Za-z0-9_.-]{1,100}"
REPOSITORY_FORMAT = re.compile(rf"^{_OWNER}/{_NAME}$")
# Every form an address takes in the course's files; group 1 is what comes before OWNER/NAME.
ADDRESS = re.compile(
    rf"(https://mybinder\.org/v2/gh/|https://colab\.research\.google\.com/github/|git\+https://github\.com/)"
    rf"(?P<repository>{_OWNER}/{_NAME})(?=[/\"'\\@)\s]|$)"
)
_SETTING = re.compile(r'^(Repository\s*=\s*")https://github\.com/([^"]*)(")', re.MULTILINE)


def check_repository(repository: str) -> str:
    """Return ``repository`` if it reads OWNER/NAME as GitHub spells them; raise ValueError otherwise."""
    if not isinstance(repository, str) or not REPOSITORY_FORMAT.match(repository) or repository.endswith(".git"):
        raise ValueError(f"repository must be OWNER/NAME, as in https://github.com/OWNER/NAME, got {repository!r}")
    return repository


def repository(root: Path = ROOT) -> str:
    """The setting: OWNER/NAME from ``[project.urls] Repository`` in ``root/pyproject.toml``."""
    url = tomllib.loads((root / "pyproject.toml").read_text())["project"]["urls"]["Repository"]
    prefix = "https://github.com/"
    if not url.startswith(prefix):
        raise ValueError(f"[project.urls] Repository must be {prefix}OWNER/NAME, got {url!r}")
    return check_repository(url.removeprefix(prefix).rstrip("/"))


def course_files(root: Path = ROOT) -> list[Path]:
    """Every file that may hold an address, in a stable order."""
    return sorted({path for pattern in FILE_PATTERNS for path in root.glob(pattern) if path.is_file()})


def addresses(root: Path = ROOT) -> dict[Path, set[str]]:
    """file -> the OWNER/NAME of every Binder, Colab or install address in it (files with none left out)."""
    found = {}
    for path in course_files(root):
        names = {match["repository"] for match in ADDRESS.finditer(path.read_text(encoding="utf-8"))}
        if names:
            found[path] = names
    return found


def rewrite(root: Path, new_repository: str) -> list[Path]:
    """Point every address in the course's files at ``new_repository``; return the files that changed."""
    check_repository(new_repository)
    changed = []
    for path in course_files(root):
        text = path.read_text(encoding="utf-8")
        updated = ADDRESS.sub(lambda match: match[1] + new_repository, text)
        if updated != text:
            path.write_text(updated, encoding="utf-8")
            changed.append(path)
    return changed


def set_setting(root: Path, new_repository: str) -> bool:
    """Write ``new_repository`` into ``[project.urls] Repository``; True if pyproject.toml changed."""
    check_repository(new_repository)
    path = root / "pyproject.toml"
    text = path.read_text(encoding="utf-8")
    updated, count = _SETTING.subn(lambda m: f"{m[1]}https://github.com/{new_repository}{m[3]}", text)
    if count != 1:
        raise ValueError(f"{path} must have one line 'Repository = \"https://github.com/OWNER/NAME\"'")
    if updated != text:
        path.write_text(updated, encoding="utf-8")
    return updated != text


def main(argv: Sequence[str] | None = None, root: Path = ROOT) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("repository", nargs="?", help="OWNER/NAME of the course's GitHub repository")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if an address differs")
    args = parser.parse_args(argv)
    try:
        if args.check:
            setting = repository(root)
            wrong = {path: names - {setting} for path, names in addresses(root).items() if names - {setting}}
            for path, names in wrong.items():
                print(f"{path.relative_to(root)}: {', '.join(sorted(names))} (the setting is {setting})")
            return 1 if wrong else 0
        if args.repository is not None and set_setting(root, args.repository):
            print(f"pyproject.toml: [project.urls] Repository = https://github.com/{args.repository}")
        changed = rewrite(root, repository(root))
    except ValueError as error:
        parser.error(str(error))
    for path in changed:
        print(f"{path.relative_to(root)}: addresses now point at {repository(root)}")
    print(f"{len(changed)} file(s) changed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
