"""`sample`: a deterministic synthetic archive with realistic sizes, for demos and benchmarks."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from .content import save_day
from .models import order_paper
from .progress import progress_bar

START = date(2024, 1, 1)  # a Monday; fixed so the same N always gives the same archive
SEED = 20240101

_WORDS = (
    "model",
    "language",
    "vision",
    "diffusion",
    "agent",
    "reasoning",
    "benchmark",
    "training",
    "inference",
    "token",
    "attention",
    "transformer",
    "policy",
    "reward",
    "alignment",
    "retrieval",
    "video",
    "image",
    "audio",
    "speech",
    "robot",
    "graph",
    "sparse",
    "dense",
    "scaling",
    "data",
    "synthetic",
    "multimodal",
    "embedding",
    "latent",
    "generation",
    "evaluation",
    "efficient",
    "memory",
    "context",
    "long",
    "chain",
    "thought",
    "planning",
    "search",
    "tool",
    "code",
    "mathematical",
    "proof",
    "optimization",
    "gradient",
    "fine-tuning",
    "instruction",
    "preference",
    "feedback",
    "distillation",
    "quantization",
    "kernel",
    "cache",
    "parallel",
    "decoding",
    "sampling",
    "noise",
    "score",
    "flow",
    "3D",
    "scene",
    "geometry",
    "mesh",
    "physics",
    "simulation",
    "world",
    "temporal",
    "spatial",
    "segmentation",
    "detection",
)
_TITLE_HEADS = (
    "Scaling",
    "Towards",
    "Rethinking",
    "Learning",
    "Efficient",
    "Unified",
    "Benchmarking",
    "Aligning",
    "Revisiting",
    "Understanding",
)
_MATH = ("$O(n^2)$", "$\\mathcal{L}_{\\text{KL}}$", "$x \\in \\mathbb{R}^d$", "$\\alpha=0.5$")
_FIRST = (
    "Wei",
    "Li",
    "Anna",
    "Maria",
    "Jun",
    "Chen",
    "Sara",
    "Omar",
    "Yuki",
    "Ivan",
    "Priya",
    "Lucas",
    "Mei",
    "Ahmed",
    "Elena",
    "Tom",
)
_LAST = (
    "Wang",
    "Zhang",
    "Smith",
    "Garcia",
    "Kim",
    "Müller",
    "Rossi",
    "Tanaka",
    "Nguyen",
    "Patel",
    "Silva",
    "Novak",
    "Cohen",
)
_ORGS = (
    ("nvidia", "NVIDIA"),
    ("google", "Google"),
    ("ShanghaiAiLab", "Shanghai AI Laboratory"),
    ("meta-llama", "Meta"),
    ("allenai", "Ai2"),
    ("Qwen", "Qwen"),
)


def make_sample(content: Path, papers: int, seed: int = SEED) -> int:
    """Write a synthetic archive of about `papers` papers into content; return the day count."""
    rng = random.Random(seed)
    day, written, days, serial = START, 0, 0, 0
    with progress_bar("sample", total=papers) as advance:
        while written < papers:
            if day.weekday() >= 5:
                count = 0  # Hugging Face lists nothing on most weekends
            else:
                count = min(papers - written, max(3, int(rng.gauss(20, 7))))
            listed = []
            for _ in range(count):
                serial += 1
                listed.append(_paper(rng, day, serial))
            listed.sort(key=lambda paper: -paper["upvotes"])
            save_day(content, day, listed, fetched=day + timedelta(days=14))
            written += count
            days += 1
            advance(count)
            day += timedelta(days=1)
    return days


def _sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(_WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def _paper(rng: random.Random, day: date, serial: int) -> dict[str, Any]:
    published = day - timedelta(days=rng.choice((1, 1, 1, 2, 3, 4, 7)))
    paper_id = f"{published:%y%m}.{serial % 100000:05d}"
    abstract = " ".join(_sentence(rng, rng.randint(12, 30)) for _ in range(rng.randint(6, 11)))
    if rng.random() < 0.05:
        abstract += f" We prove a bound of {rng.choice(_MATH)} for the <proposed> method."
    # Author counts: mostly a handful, a long tail to the hundreds, as in the real data.
    authors = min(700, max(1, int(rng.lognormvariate(2.0, 0.8))))
    if rng.random() < 0.002:
        authors = rng.randint(200, 664)
    title_words = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(3, 9)))
    paper: dict[str, Any] = {
        "id": paper_id,
        "title": f"{rng.choice(_TITLE_HEADS)} {title_words.title()}",
        "authors": [f"{rng.choice(_FIRST)} {rng.choice(_LAST)}" for _ in range(authors)],
        "published": published.isoformat(),
        "upvotes": int(rng.paretovariate(1.2) * 3),
        "comments": rng.choice((0, 0, 1, 1, 2, 3, 5)),
        "thumbnail": f"https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/{paper_id}.png",
        "submitter": f"user{rng.randint(1, 400)}",
        "abstract": abstract,
    }
    if rng.random() < 0.35:
        paper["github"] = f"https://github.com/example-lab/project-{serial}"
        paper["github_stars"] = int(rng.paretovariate(1.0) * 10)
    if rng.random() < 0.25:
        paper["project_page"] = f"https://example-lab.github.io/project-{serial}/"
    if rng.random() < 0.3:
        paper["organization"], paper["organization_name"] = rng.choice(_ORGS)
    if rng.random() < 0.6:
        paper["ai_summary"] = _sentence(rng, rng.randint(15, 30))
        paper["ai_keywords"] = sorted({rng.choice(_WORDS) for _ in range(rng.randint(3, 10))})
    if rng.random() < 0.1:
        paper["media"] = [f"https://cdn-uploads.huggingface.co/production/uploads/{serial}.mp4"]
    return order_paper(paper)
