"""Where a build writes: folders it may use, one writer, and a new site swapped in whole."""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import os
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from . import urls
from .errors import BuildError

ROOT = Path(__file__).resolve().parent.parent
# Left in every folder a build makes: a non-empty folder without it is not the build's to empty.
# Sites and build folders have their own, so that one is never taken for the other.
MARKER = ".daily-papers-archive"
BUILD_MARKER = ".daily-papers-archive-build"
MARKER_TEXT = "Made by `python -m generator build`, which replaces what it made here.\n"
# What build/ may hold besides the marker: the build's own folders, and what the nightly run
# (Makefile), its cache step, the browser tests' screenshots and the benchmarks' work folders
# put there before a build has ever left its marker.
SCRATCH = ("docs", "staged", "sample-content")  # replaced by every build
BUILD_NAMES = frozenset(
    {*SCRATCH, "search-cache", "page-cache", "check-cache", "render-cache"}
    | {"data-cache", "topic-cache"}
    | {"fetch-summary.txt", "fetch-exit", "fetch-failed.txt"}
    | {"test-artifacts", "bench", "search-bench", ".lock", BUILD_MARKER}
)
# A site built before sites carried the marker: these files say this tool made it.
OLD_SITE_SIGNS = ("sitemap.xml", urls.SEARCH_MANIFEST, urls.OPML)


@dataclass(frozen=True)
class Outputs:
    """A build's two folders, checked: build/ for scratch work and the site it replaces."""

    site: Path  # absolute, links resolved
    build: Path

    @classmethod
    def claim(cls, content: Path, site_dir: Path, build_dir: Path) -> Outputs:
        """The folders, or a BuildError when writing there could destroy what a build did not
        make: content, the repository, /, home, or a folder holding files it did not write."""
        site, build = site_dir.resolve(), build_dir.resolve()
        guarded = {
            content.resolve(): "the content folder",
            ROOT: "the repository",
            Path("/"): "the root folder /",
        }
        with contextlib.suppress(RuntimeError, KeyError):  # no home folder: none to guard
            guarded[Path.home().resolve()] = "the home folder"
        for option, folder in (("--site-dir", site), ("--build-dir", build)):
            for place, name in guarded.items():
                if folder == place or place.is_relative_to(folder):
                    what = "is" if folder == place else "contains"
                    raise BuildError(f"{option} {folder} {what} {name}: refusing to write there")
            if folder.is_relative_to(content.resolve()):
                raise BuildError(f"{option} {folder} lies inside the content folder")
            if folder.exists() and not folder.is_dir():
                raise BuildError(f"{option} {folder} is not a folder")
        beside = build.parent == site.parent and build.name.startswith(f".{site.name}.")
        if site == build or site.is_relative_to(build) or build.is_relative_to(site) or beside:
            raise BuildError(f"--site-dir {site} and --build-dir {build} must be apart")
        if not _is_site(site):
            raise BuildError(
                f"--site-dir {site} holds files a build did not make (no {MARKER}): "
                "choose an empty or new folder"
            )
        if not _made_here(build, BUILD_MARKER) and any(
            entry.name not in BUILD_NAMES for entry in build.iterdir()
        ):
            raise BuildError(
                f"--build-dir {build} holds files a build did not make (no {BUILD_MARKER}): "
                "choose an empty or new folder"
            )
        return cls(site, build)

    def scratch(self, name: str) -> Path:
        """One of build/'s own folders (SCRATCH), emptied: a link there is removed, not
        followed, so that nothing is written or deleted through it."""
        assert name in SCRATCH, name
        path = self.build / name
        if path.is_symlink() or path.is_file():
            path.unlink()
        elif path.exists():
            shutil.rmtree(path)
        return path

    @property
    def new_site(self) -> Path:
        """Where the next site is built, beside the current one (so one rename swaps them)."""
        return self._beside("new")

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold both folders for one build; a second build at once is refused, not queued."""
        try:
            self.build.mkdir(parents=True, exist_ok=True)
            _mark(self.build, BUILD_MARKER)
            self.site.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise BuildError(f"cannot write {exc.filename}: {exc.strerror}") from exc
        with _lock(self._beside("lock"), self.site), _lock(self.build / ".lock", self.build):
            self._recover()
            yield

    def begin(self) -> Path:
        """An empty folder for the new site, with the marker."""
        new = self.new_site
        self._discard(new)
        try:
            new.mkdir()
            _mark(new, MARKER)
        except OSError as exc:
            raise BuildError(f"cannot write {exc.filename}: {exc.strerror}") from exc
        return new

    def finish(self) -> None:
        """Put the complete new site in the old one's place, in one step where Linux allows."""
        new, old = self.new_site, self._beside("old")
        _carry_hidden(self.site, new)
        if not self.site.exists():
            new.rename(self.site)
        elif _exchange(new, self.site):
            self._discard(new)  # it holds the old site now
        else:  # no atomic exchange here: a build stopped between the renames is mended next time
            self.site.rename(old)
            new.rename(self.site)
            self._discard(old)

    def _recover(self) -> None:
        """Mend what a stopped build left: the old site back in place, leftovers gone."""
        old, new = self._beside("old"), self.new_site
        for leftover in (old, new):  # only ever a site, whole or half-built
            if leftover.exists() and not _is_site(leftover):
                raise BuildError(f"{leftover} holds files a build did not make: move it away")
        if not self.site.exists() and old.is_dir():
            old.rename(self.site)
        self._discard(old)
        self._discard(new)

    def _discard(self, folder: Path) -> None:
        # Renamed aside first, so a build stopped while deleting leaves only the trash folder.
        trash = self._beside("trash")
        if folder.exists() and folder != trash:
            shutil.rmtree(trash, ignore_errors=True)
            folder.rename(trash)
        shutil.rmtree(trash, ignore_errors=True)

    def _beside(self, what: str) -> Path:
        return self.site.parent / f".{self.site.name}.{what}"


@dataclass
class Writer:
    """Writes a build's files under one folder: each path once, none outside it."""

    root: Path
    written: dict[str, str] = field(default_factory=dict)  # path -> what wrote it

    def write(self, relative: str, data: str | bytes, producer: str) -> None:
        """Write one file; a path that climbs out, or that was written before, is refused."""
        parts = relative.split("/")
        if any(part in ("..", ".", "") for part in parts):
            raise BuildError(f"{producer} made a path outside {self.root}: {relative!r}")
        key = "/".join(parts)
        if key in self.written:
            raise BuildError(f"{key}: written by both {self.written[key]} and {producer}")
        self.written[key] = producer
        path = self.root.joinpath(*parts)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with path.open("xb") as handle:
                handle.write(data.encode("utf-8") if isinstance(data, str) else data)
        except FileExistsError:
            raise BuildError(f"{key}: written by both {producer} and another step") from None

    def write_all(self, producer: str, files: Iterable[tuple[str, str | bytes]]) -> None:
        """Write every (path, text or bytes) pair."""
        for relative, data in files:
            self.write(relative, data, producer)


def _made_here(folder: Path, marker: str) -> bool:
    """Whether a build made folder: it has the marker, or it is empty or absent."""
    try:
        return (folder / marker).is_file() or not any(folder.iterdir())
    except FileNotFoundError:
        return True
    except OSError as exc:
        raise BuildError(f"cannot read {folder}: {exc.strerror}") from exc


def _is_site(folder: Path) -> bool:
    """Whether folder is a site a build made (or may fill): marked, empty, or made before
    sites carried the marker."""
    return _made_here(folder, MARKER) or all((folder / sign).exists() for sign in OLD_SITE_SIGNS)


def _mark(folder: Path, marker: str) -> None:
    path = folder / marker
    if not path.is_file():
        path.write_text(MARKER_TEXT, encoding="utf-8")


def _carry_hidden(old: Path, new: Path) -> None:
    """Hidden entries of the old site (.git, .well-known, ...) are not the build's: they go
    into the new one too, as hard links, so the old site keeps them until it is replaced."""
    if not old.is_dir():
        return
    for entry in sorted(old.iterdir()):
        there = new / entry.name
        if not entry.name.startswith(".") or entry.name == MARKER or there.exists():
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.copytree(entry, there, symlinks=True, copy_function=os.link)
        else:
            os.link(entry, there, follow_symlinks=False)


@contextlib.contextmanager
def _lock(path: Path, what: Path) -> Iterator[None]:
    """An exclusive lock on path while the block runs; it ends with the process, however."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise BuildError(f"cannot write {path}: {exc.strerror}") from exc
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "another process"
            raise BuildError(
                f"another build (process {holder}) is writing {what}: wait for it to end"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)


_RENAME_EXCHANGE = 2  # linux/fs.h


def _exchange(one: Path, other: Path) -> bool:
    """Swap two folders atomically (Linux renameat2); False where it is not available."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    at_cwd = -100  # AT_FDCWD: the paths are absolute anyway
    done = renameat2(
        at_cwd, os.fsencode(one), at_cwd, os.fsencode(other), ctypes.c_uint(_RENAME_EXCHANGE)
    )
    if done == 0:
        return True
    error = ctypes.get_errno()
    if error in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise BuildError(f"cannot swap {one} and {other}: {os.strerror(error)}")
