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

# Filler vocabulary that triggers no topic rule in content/topics.yml; topic phrases are
# added on purpose below, so topic pages get realistic sizes (about one topic per paper).
_WORDS = (
    "model method data layer scale signal latent sparse dense graph kernel token context "
    "memory feature module encoder decoder objective loss sample prior estimate variance "
    "robust stable efficient unified simple strong novel adaptive structured implicit "
    "explicit global local temporal spatial semantic hierarchical modular scalable "
    "framework approach analysis study result experiment baseline ablation improvement"
).split()
_TOPIC_PHRASES = (
    "chain-of-thought reasoning",
    "test-time scaling",
    "LLM agents",
    "GUI agents",
    "reinforcement learning",
    "GRPO",
    "diffusion models",
    "text-to-image generation",
    "video generation",
    "vision-language models",
    "speech recognition",
    "text-to-speech",
    "robot manipulation",
    "vision-language-action",
    "quantization",
    "KV cache",
    "speculative decoding",
    "LoRA",
    "distributed training",
    "a new benchmark",
    "jailbreak attacks",
    "red teaming",
    "code generation",
    "software engineering",
    "retrieval-augmented generation",
    "dense retrieval",
    "Gaussian splatting",
    "3D reconstruction",
    "novel view synthesis",
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


def _phrase(rng: random.Random) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(rng.choice((1, 2, 2, 3))))


def _paper(rng: random.Random, day: date, serial: int) -> dict[str, Any]:
    published = day - timedelta(days=rng.choice((1, 1, 1, 2, 3, 4, 7)))
    paper_id = f"{published:%y%m}.{serial % 100000:05d}"
    abstract = " ".join(_sentence(rng, rng.randint(12, 30)) for _ in range(rng.randint(6, 11)))
    topics = rng.sample(_TOPIC_PHRASES, rng.choice((0, 1, 1, 1, 1, 2)))
    if topics:
        abstract += f" We study {' and '.join(topics)}."
    if rng.random() < 0.05:
        abstract += f" We prove a bound of {rng.choice(_MATH)} for the <proposed> method."
    # Author counts: mostly a handful, a long tail to the hundreds, as in the real data.
    authors = min(700, max(1, int(rng.lognormvariate(2.0, 0.8))))
    if rng.random() < 0.002:
        authors = rng.randint(200, 664)
    title_words = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(3, 8)))
    if topics:
        title_words += f" for {topics[0]}"
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
    # Shares and lengths as in the recorded lists of June 2025 to May 2026 (the shape the
    # archive grows in): half the papers link code, nearly all carry an AI summary and a dozen
    # keyword phrases (about 200 bytes each).
    if rng.random() < 0.5:
        paper["github"] = f"https://github.com/example-lab/project-{serial}"
        paper["github_stars"] = int(rng.paretovariate(1.0) * 10)
    if rng.random() < 0.39:
        paper["project_page"] = f"https://example-lab.github.io/project-{serial}/"
    if rng.random() < 0.42:
        paper["organization"], paper["organization_name"] = rng.choice(_ORGS)
    if rng.random() < 0.94:
        paper["ai_summary"] = _sentence(rng, rng.randint(18, 34))
        phrases = {_phrase(rng) for _ in range(rng.randint(9, 15))}
        paper["ai_keywords"] = sorted(phrases | {topic.lower() for topic in topics})
    if rng.random() < 0.1:
        paper["media"] = [f"https://cdn-uploads.huggingface.co/production/uploads/{serial}.mp4"]
    return order_paper(paper)
